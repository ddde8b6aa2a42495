/**
 * The HTTP raw path reads a request already in the socket at accept (as uwsgi's does): answered
 * without libuv reading it first, the same bytes as node:http gives. The requests are written by
 * a client in another process while this one holds its event loop (test/helpers/
 * send-before-accept.ts), so they wait in the listen backlog as behind a busy proxy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { App } from 'tsgi';
import type { Logger } from '../../../gateway/logging/logger.js';
import { handleCounts } from '../../../gateway/server/handle-transport.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import { sendBeforeAccept } from '../../helpers/send-before-accept.js';

const logger: Logger = { info() {}, warn() {}, error() {}, request() {} };

const app: App = async (environ, start) => {
  const body = await environ['wsgi.input'].read();
  start('200 OK', [['Content-Type', 'text/plain']]);
  return [`${environ.REQUEST_METHOD} ${environ.PATH_INFO} ${body.length}`];
};

const close = 'Connection: close\r\n';
const REQUESTS = [
  `GET /a HTTP/1.1\r\nHost: x\r\n${close}\r\n`,
  `POST /b HTTP/1.1\r\nHost: x\r\n${close}Content-Length: 5\r\n\r\nhello`,
  `GET /c HTTP/1.1\r\nHost: x\r\n\r\nGET /d HTTP/1.1\r\nHost: x\r\n${close}\r\n`,
  `GET /e HTTP/1.1\r\nHost: x\r\n${close}X: a\0b\r\n\r\n`,
  `POST /f HTTP/1.1\r\nHost: x\r\n${close}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
];

describe('gateway/server HTTP fast path: a request already there at accept', () => {
  let dir: string;
  let fast: Gateway;
  let node: Gateway;
  const target = (g: Gateway) => {
    const [host, port] = g.addresses[0]!.address.split(':');
    return { host: host!, port: Number(port) };
  };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-http-early-'));
    fast = await serve(app, { http: ['127.0.0.1:0'], logger });
    node = await serve(app, { http: ['127.0.0.1:0'], disableFastTransport: true, logger });
  });
  after(async () => {
    await fast?.close({ force: true });
    await node?.close({ force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves them from the read at accept, with the bytes node:http answers', async () => {
    const early = REQUESTS.map((r) => ({ bytes: Buffer.from(r, 'latin1') }));
    const before = handleCounts.readAtAccept;
    const ours = await sendBeforeAccept(dir, target(fast), [...early, { bytes: null }]);
    assert.equal(handleCounts.readAtAccept - before, REQUESTS.length, 'one read at accept each');
    const theirs = await sendBeforeAccept(dir, target(node), [...early, { bytes: null }]);
    const text = (replies: Buffer[]) =>
      replies.map((b) => b.toString('latin1').replace(/Date: [^\r]*\r\n/g, ''));
    assert.deepEqual(text(ours), text(theirs));
    assert.match(text(ours)[2]!, /GET \/c 0HTTP\/1\.1 200 OK[\s\S]*GET \/d 0$/);
    assert.match(text(ours)[3]!, /^HTTP\/1\.1 400 /);
  });
});
