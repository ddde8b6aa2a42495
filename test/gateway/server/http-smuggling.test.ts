/**
 * The request-smuggling classics against --http-socket. Our codec (gateway/http/) refuses each of
 * them or leaves it to node:http (llhttp, strict: insecureHTTPParser off), which refuses it too;
 * these fixtures keep it so (a 400 and a closed connection, and the app never sees the smuggled
 * request), on the fast transport and under --disable-fast-transport alike.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import { rawRequest } from '../../helpers/uwsgi-client.js';
import app from '../fixtures/app.js';

const SMUGGLED = 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n';

const CASES: Array<[string, string]> = [
  [
    'Content-Length with Transfer-Encoding (CL.TE)',
    `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    'two different Content-Length headers',
    `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc${SMUGGLED}`,
  ],
  [
    'obs-fold (a header continued on the next line)',
    `GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nContent-Length: 33\r\n\r\n${SMUGGLED}`,
  ],
  [
    'a bare LF ending a header line',
    `POST /echo HTTP/1.1\r\nHost: x\nContent-Length: 33\r\n\r\n${SMUGGLED}`,
  ],
  [
    'a chunk size past 2^64',
    `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1${'0'.repeat(17)}\r\n${SMUGGLED}`,
  ],
  [
    'Transfer-Encoding that is not chunked last',
    `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  ],
];

for (const disableFastTransport of [false, true]) {
  describe(`gateway/server HTTP request smuggling fixtures (fast transport ${disableFastTransport ? 'off' : 'on'})`, () => {
    let gateway: Gateway;
    let port: number;
    before(async () => {
      gateway = await serve(app, {
        http: ['127.0.0.1:0'],
        disableFastTransport,
        logger: createLogger({ write: () => {} }),
      });
      port = Number(gateway.addresses[0]!.address.split(':')[1]);
    });
    after(() => gateway?.close({ force: true }));

    for (const [name, bytes] of CASES) {
      it(`refuses ${name}`, async () => {
        const reply = await rawRequest({ host: '127.0.0.1', port }, Buffer.from(bytes, 'latin1'), {
          timeoutMs: 5000,
        });
        const text = reply.data.toString('latin1');
        assert.match(text, /^HTTP\/1\.1 400 /, JSON.stringify(text));
        assert.doesNotMatch(text, /Hello, world!/);
        assert.notEqual(reply.end, 'timeout');
      });
    }
  });
}
