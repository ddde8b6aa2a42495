import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Logger } from '../../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import { headerValues, httpCall } from '../../helpers/http-client.js';
import { rawRequest } from '../../helpers/uwsgi-client.js';
import app from '../fixtures/app.js';

const lines: string[] = [];
const logger: Logger = {
  info: (m) => lines.push(`info: ${m}`),
  warn: (m) => lines.push(`warn: ${m}`),
  error: (m) => lines.push(`error: ${m}`),
  request: (m) => lines.push(`request: ${m}`),
};

describe('gateway/server HTTP socket', () => {
  let gateway: Gateway;
  let port: number;

  before(async () => {
    gateway = await serve(app, {
      http: ['127.0.0.1:0'],
      limitPost: 1000,
      bufferSize: 4096,
      logger,
    });
    port = Number(gateway.addresses[0]!.address.split(':')[1]);
  });
  after(() => gateway?.close({ force: true }));

  it('answers 413 over limit-post, declared or chunked, naming the option', async () => {
    const declared = await httpCall(port, {
      method: 'POST',
      path: '/echo',
      body: Buffer.alloc(2000),
    });
    assert.equal(declared.status, 413);
    const chunked = await httpCall(port, {
      method: 'POST',
      path: '/echo',
      body: [Buffer.alloc(600), Buffer.alloc(600)],
    });
    assert.equal(chunked.status, 413);
    assert.ok(
      lines.some((l) => l.includes('ERR_UWSGI_BODY_TOO_LARGE') && l.includes('(limit-post)')),
    );
  });

  it('answers 431 when the headers are over buffer-size, naming the option', async () => {
    const reply = await rawRequest(
      { host: '127.0.0.1', port },
      Buffer.from(`GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(5000)}\r\n\r\n`),
    );
    assert.match(reply.data.toString('latin1'), /^HTTP\/1\.1 431 /);
    assert.ok(lines.some((l) => l.includes('buffer-size')));
  });

  it('echoes a chunked upload and announces Content-Length for HEAD', async () => {
    const echo = await httpCall(port, {
      method: 'POST',
      path: '/echo',
      body: [Buffer.from('ab'), Buffer.from('cd')],
    });
    assert.equal(echo.body.toString(), 'abcd');
    const head = await httpCall(port, { method: 'HEAD', path: '/hello' });
    assert.deepEqual(headerValues(head, 'content-length'), ['13']);
    assert.equal(head.body.length, 0);
  });

  it('refuses a CR/LF header with 500 and keeps serving', async () => {
    const res = await httpCall(port, { path: '/crlf' });
    assert.equal(res.status, 500);
    assert.equal(headerValues(res, 'injected').length, 0);
    assert.equal((await httpCall(port, { path: '/hello' })).status, 200);
  });

  it('answers 400 to a malformed request', async () => {
    const reply = await rawRequest(
      { host: '127.0.0.1', port },
      Buffer.from('NOT HTTP AT ALL\r\n\r\n'),
    );
    assert.match(reply.data.toString('latin1'), /^HTTP\/1\.1 400 /);
  });
});

for (const disableFastTransport of [false, true]) {
  const transport = disableFastTransport ? 'node:http' : 'the raw handle';
  describe(`gateway/server HTTP refusals with a request line (${transport})`, () => {
    let gateway: Gateway;
    let port: number;
    before(async () => {
      gateway = await serve(app, {
        http: ['127.0.0.1:0'],
        disableFastTransport,
        bufferSize: 200,
        logger,
      });
      port = Number(gateway.addresses[0]!.address.split(':')[1]);
    });
    after(() => gateway?.close({ force: true }));

    it('counts buffer-size over the target and header names and values, on both paths', async () => {
      // Counted: '/x' (2), 'Host' 'x' (5), 'X-Pad' (5) and the value; 200 in all is accepted.
      const head = (pad: number) =>
        Buffer.from(`GET /x HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(pad)}\r\n\r\n`);
      const at = await rawRequest({ host: '127.0.0.1', port }, head(200 - 12));
      assert.match(at.data.toString('latin1'), /^HTTP\/1\.1 404 /);
      const from = lines.length;
      const over = await rawRequest({ host: '127.0.0.1', port }, head(200 - 11));
      assert.match(over.data.toString('latin1'), /^HTTP\/1\.1 431 /);
      const own = lines.slice(from);
      assert.ok(
        own.some((l) => l.startsWith('warn: ') && l.includes('200 bytes (buffer-size)')),
        own.join('\n'),
      );
      assert.ok(
        own.some((l) => /^request: \S+ - - => 431 /.test(l)),
        own.join('\n'),
      );
    });

    it('answers an HTTP/1.1 request without Host 400, naming the code, with a request line', async () => {
      const from = lines.length;
      const reply = await rawRequest(
        { host: '127.0.0.1', port },
        Buffer.from('GET /hello?no-host HTTP/1.1\r\n\r\n'),
      );
      assert.match(reply.data.toString('latin1'), /^HTTP\/1\.1 400 [\s\S]*Connection: close/);
      const own = lines.slice(from);
      assert.ok(
        own.some((l) => l.startsWith('warn: ') && l.includes('ERR_HTTP_MISSING_HOST')),
        own.join('\n'),
      );
      assert.ok(
        own.some((l) => /^request: \S+ GET \/hello\?no-host => 400 /.test(l)),
        own.join('\n'),
      );
    });
  });
}
