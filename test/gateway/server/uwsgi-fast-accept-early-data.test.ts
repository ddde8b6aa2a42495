// The fast accept path when the request is there before the connection is accepted, as behind
// nginx under load: the packet is read at accept (node-internals.ts readNow), without libuv's
// read machinery. Every kind of first read must be answered as the regular path answers it. The
// client runs in a child process while this process (the gateway's) holds its event loop, so its
// bytes wait in the listen backlog.
import assert from 'node:assert/strict';
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { App } from 'tsgi';
import type { Logger } from '../../../gateway/logging/logger.js';
import { disableFastTransport } from '../../../gateway/server/node-internals.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import { encodePacket } from '../../../gateway/uwsgi/index.js';
import { sendBeforeAccept } from '../../helpers/send-before-accept.js';
import { parseResponse, type Target } from '../../helpers/uwsgi-client.js';

/** Request lines (the tests wait on them). */
const served: string[] = [];
const logger: Logger = { info() {}, warn() {}, error() {}, request: (line) => served.push(line) };

let heldStarted: () => void = () => {};
let releaseHeld: () => void = () => {};

const app: App = (environ, start) => {
  const path = environ.PATH_INFO;
  if (path === '/no-content') {
    start('204 No Content', []);
    return [];
  }
  if (path === '/echo') {
    return (async () => {
      const body = await environ['wsgi.input'].read();
      start('200 OK', [['Content-Type', 'application/octet-stream']]);
      return [body];
    })();
  }
  if (path === '/held') {
    heldStarted();
    return new Promise((resolve) => {
      releaseHeld = () => {
        start('200 OK', [['Content-Type', 'text/plain']]);
        resolve(['held']);
      };
    });
  }
  if (path === '/slow') {
    return new Promise((resolve) =>
      setTimeout(() => {
        start('200 OK', [['Content-Type', 'text/plain']]);
        resolve(['slow']);
      }, 50),
    );
  }
  start('200 OK', [['Content-Type', 'text/plain']]);
  return [`hello ${environ.REQUEST_METHOD} ${path}`];
};

function packet(method: string, path: string, contentLength = '') {
  return encodePacket([
    ['REQUEST_METHOD', method],
    ['REQUEST_URI', path],
    ['PATH_INFO', path],
    ['QUERY_STRING', ''],
    ['CONTENT_LENGTH', contentLength],
    ['CONTENT_TYPE', ''],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['SERVER_NAME', 'test.local'],
    ['SERVER_PORT', '80'],
    ['REMOTE_ADDR', '127.0.0.1'],
    ['HTTP_HOST', 'test.local'],
  ]);
}

describe('gateway/server uwsgi fast accept: a request already there at accept', () => {
  let dir: string;
  let fast: Gateway;
  let regular: Gateway;
  const targets: Record<'fast' | 'regular', Target[]> = { fast: [], regular: [] };
  /** What each readSync of the process returned (the reads at accept among them). */
  const reads: number[] = [];
  const realReadSync = fs.readSync;

  async function start(name: 'fast' | 'regular'): Promise<Gateway> {
    const gateway = await serve(app, {
      socket: [join(dir, `${name}.sock`), '127.0.0.1:0'],
      socketTimeout: 2,
      logger,
    });
    const [host, port] = gateway.addresses[1]!.address.split(':');
    targets[name] = [{ path: join(dir, `${name}.sock`) }, { host: host!, port: Number(port) }];
    return gateway;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-early-'));
    fs.readSync = ((...args: Parameters<typeof fs.readSync>) => {
      const n = realReadSync(...args);
      reads.push(n);
      return n;
    }) as typeof fs.readSync;
    syncBuiltinESMExports();
    fast = await start('fast');
    disableFastTransport();
    try {
      regular = await start('regular');
    } finally {
      disableFastTransport(false);
    }
  });

  after(async () => {
    fs.readSync = realReadSync;
    syncBuiltinESMExports();
    await fast?.close({ force: true });
    await regular?.close({ force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the packet at accept and answers GET, HEAD and 204 as the regular path does', async () => {
    const requests = [
      packet('GET', '/hello'),
      packet('HEAD', '/hello'),
      packet('GET', '/no-content'),
    ];
    for (let i = 0; i < 2; i++) {
      reads.length = 0;
      const got = await sendBeforeAccept(
        dir,
        targets.fast[i]!,
        requests.map((bytes) => ({ bytes })),
      );
      // Each packet was read at accept, whole (other readSync calls of this process may show up).
      const left = [...reads];
      for (const r of requests) {
        const at = left.indexOf(r.length);
        assert.ok(at !== -1, `no read of ${r.length} bytes at accept in ${JSON.stringify(reads)}`);
        left.splice(at, 1);
      }
      const expected = await sendBeforeAccept(
        dir,
        targets.regular[i]!,
        requests.map((bytes) => ({ bytes })),
      );
      assert.deepEqual(
        got.map((b) => b.toString('latin1')),
        expected.map((b) => b.toString('latin1')),
      );
      assert.equal(parseResponse(got[0]!).body.toString(), 'hello GET /hello');
    }
  });

  it('keeps each of many connections accepted at once apart (one shared read buffer)', async () => {
    const paths = Array.from({ length: 24 }, (_, i) => `/conn-${i}-${'x'.repeat(i * 7)}`);
    for (const target of targets.fast) {
      const got = await sendBeforeAccept(
        dir,
        target,
        paths.map((p) => ({ bytes: packet('GET', p) })),
      );
      assert.deepEqual(
        got.map((b) => parseResponse(b).body.toString()),
        paths.map((p) => `hello GET ${p}`),
      );
    }
  });

  it('answers a body, a ping and a bad packet read at accept as the regular path does, bytes intact', async () => {
    const small = Buffer.from('0123456789');
    // Whether it is read whole at accept (served there, its body copied out of the shared read
    // buffer) or in part (the rest comes through libuv), it must come back intact.
    const large = Buffer.alloc(200 * 1024);
    for (let i = 0; i < large.length; i++) large[i] = (i * 31) & 0xff;
    for (const target of targets.fast) {
      // The large one first: the connections read at accept after it reuse the read buffer.
      const [echoLarge, echoSmall, ping, bad] = await sendBeforeAccept(dir, target, [
        { bytes: Buffer.concat([packet('POST', '/echo', String(large.length)), large]) },
        { bytes: Buffer.concat([packet('POST', '/echo', String(small.length)), small]) },
        { bytes: Uint8Array.of(100, 0, 0, 0) },
        { bytes: Buffer.from('GET / HTTP/1.1\r\n\r\n') },
      ]);
      assert.equal(parseResponse(echoSmall!).body.toString(), '0123456789');
      assert.ok(parseResponse(echoLarge!).body.equals(large), 'the large body came back intact');
      assert.deepEqual([...ping!], [0x64, 0x00, 0x00, 0x01]);
      assert.equal(parseResponse(bad!).status, 400);
    }
  });

  it('answers a peer that half-closed before accept, and forgets one that sent nothing', async () => {
    for (const target of targets.fast) {
      const [slow, nothing, after] = await sendBeforeAccept(dir, target, [
        { bytes: packet('GET', '/slow'), halfClose: true },
        { bytes: null },
        { bytes: packet('GET', '/after') },
      ]);
      assert.equal(parseResponse(slow!).body.toString(), 'slow');
      assert.equal(nothing!.length, 0);
      assert.equal(parseResponse(after!).body.toString(), 'hello GET /after');
    }
  });

  it('counts only a connection whose app answers later: a graceful close waits for it', async () => {
    const path = join(dir, 'count.sock');
    const gateway = await serve(app, { socket: [path], logger });
    const server = gateway.listeners[0]!.server;
    const open = () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
      );
    const started = new Promise<void>((resolve) => {
      heldStarted = resolve;
    });
    // Returns once the client has written (this process held its loop until then).
    const replies = sendBeforeAccept(dir, { path }, [
      { bytes: packet('GET', '/held') },
      { bytes: packet('GET', '/now') },
      { bytes: packet('GET', '/now-too') },
    ]);
    await started;
    const deadline = Date.now() + 10_000;
    while (served.filter((l) => / GET \/now(-too)? => 200/.test(l)).length < 2) {
      assert.ok(Date.now() < deadline, 'the two quick requests were not answered');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(await open(), 1, 'the two answered at accept are closed, the held one counted');
    let closed = false;
    const closing = gateway.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(closed, false, 'close() resolved while a request was in flight');
    releaseHeld();
    const bodies = (await replies).map((b) => parseResponse(b).body.toString());
    assert.deepEqual(bodies, ['held', 'hello GET /now', 'hello GET /now-too']);
    await closing;
    assert.equal(await open(), 0);
  });
});
