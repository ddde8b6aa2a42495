// Request bodies on the fast transport (gateway/server/uwsgi-fast-accept.ts): a body that is
// there whole with its packet when the connection is accepted (nginx sends a buffered body with
// the packet, in one write) is served on the handle, with no net.Socket; part of a body, bytes
// past it and a body over limit-post go to the regular path, which answers them as always.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { App } from 'tsgi';
import type { Logger } from '../../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import { sendBeforeAccept } from '../../helpers/send-before-accept.js';
import { parseResponse, rawRequest, type Target, uwsgiGet } from '../../helpers/uwsgi-client.js';

const lines: string[] = [];
const logger: Logger = {
  info: () => {},
  warn: (m) => lines.push(`warn: ${m}`),
  error: (m) => lines.push(`error: ${m}`),
  request: (m) => lines.push(`request: ${m}`),
};

/** Echoes the body, read in two parts (readline then the rest), so both reads are exercised. */
const app: App = async (environ, start) => {
  const input = environ['wsgi.input'];
  const first = await input.readline();
  const rest = await input.read();
  start('200 OK', [['Content-Type', 'application/octet-stream']]);
  return [first, rest];
};

function post(body: Uint8Array, uri = '/echo'): Uint8Array {
  return uwsgiGet(uri, [
    ['REQUEST_METHOD', 'POST'],
    ['CONTENT_LENGTH', String(body.length)],
  ]);
}

describe('gateway/server uwsgi fast transport: request bodies', () => {
  let dir: string;
  let gateway: Gateway;
  let target: Target;
  let connections = 0;
  const realSetTimeout = Socket.prototype.setTimeout;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-fastbody-'));
    const path = join(dir, 'app.sock');
    gateway = await serve(app, { socket: [path], socketTimeout: 2, limitPost: 300_000, logger });
    target = { path };
    // A connection handed to the regular path becomes a net.Socket, which arms socket-timeout
    // with setTimeout; the fast transport never makes one.
    Socket.prototype.setTimeout = function counted(
      this: Socket,
      ...args: Parameters<typeof realSetTimeout>
    ) {
      connections++;
      return realSetTimeout.apply(this, args);
    } as typeof realSetTimeout;
  });

  after(async () => {
    Socket.prototype.setTimeout = realSetTimeout;
    await gateway?.close({ force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a body that is there with its packet at accept on the handle, byte for byte', async () => {
    const sizes = [1, 10, 64 * 1024, 100 * 1024];
    const bodies = sizes.map((size) => {
      const body = Buffer.alloc(size);
      for (let i = 0; i < size; i++) body[i] = i % 97 === 96 ? 0x0a : 0x41 + (i % 26);
      return body;
    });
    const before = connections;
    const replies = await sendBeforeAccept(
      dir,
      target,
      bodies.map((body) => ({ bytes: Buffer.concat([post(body), body]) })),
    );
    for (let i = 0; i < sizes.length; i++) {
      const res = parseResponse(replies[i]!);
      assert.equal(res.statusLine, 'HTTP/1.1 200 OK', `${sizes[i]}`);
      assert.ok(res.body.equals(bodies[i]!), `${sizes[i]} bytes echoed`);
    }
    assert.equal(connections, before, 'served without a net.Socket');
    assert.ok(lines.some((l) => /request: .*POST \/echo => 200 102400 bytes/.test(l)));
  });

  it('hands part of a body, bytes past it and a body over limit-post to the regular path', async () => {
    const body = Buffer.from('line one\nthe rest');
    let before = connections;
    const split = await rawRequest(target, [post(body), body.subarray(0, 4), body.subarray(4)], {
      gapMs: 30,
    });
    assert.ok(parseResponse(split.data).body.equals(body));
    assert.ok(connections > before, 'handed to the regular path');

    before = connections;
    const extra = await rawRequest(target, Buffer.concat([post(body), body, Buffer.from('junk')]));
    assert.ok(parseResponse(extra.data).body.equals(body));
    assert.ok(connections > before, 'handed to the regular path');

    const big = Buffer.alloc(300_001, 0x61);
    const refused = parseResponse(
      (await rawRequest(target, Buffer.concat([post(big, '/big'), big]))).data,
    );
    assert.match(refused.statusLine, /^HTTP\/1\.1 413 /);
    assert.ok(lines.some((l) => /CONTENT_LENGTH 300001, 300000 bytes \(limit-post\)/.test(l)));
  });
});
