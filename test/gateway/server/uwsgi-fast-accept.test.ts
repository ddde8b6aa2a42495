// The fast accept path (gateway/server/uwsgi-fast-accept.ts) against the regular net.Socket path:
// same bytes for the requests it serves itself, and every case it hands over still answered.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { App } from 'tsgi';
import type { Logger } from '../../../gateway/logging/logger.js';
import { disableFastTransport } from '../../../gateway/server/node-internals.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import { encodePacket } from '../../../gateway/uwsgi/index.js';
import { parseResponse, rawRequest, type Target } from '../../helpers/uwsgi-client.js';

const lines: string[] = [];
const logger: Logger = {
  info: (m) => lines.push(`info: ${m}`),
  warn: (m) => lines.push(`warn: ${m}`),
  error: (m) => lines.push(`error: ${m}`),
  request: (m) => lines.push(`request: ${m}`),
};

let slowStarted: () => void = () => {};

const app: App = async (environ, start) => {
  const path = environ.PATH_INFO;
  if (path === '/slow') {
    slowStarted();
    await new Promise((r) => setTimeout(r, 150));
  }
  if (path === '/no-content') {
    start('204 No Content', []);
    return [];
  }
  if (path === '/echo') {
    const body = await environ['wsgi.input'].read();
    start('200 OK', [['Content-Type', 'application/octet-stream']]);
    return [body];
  }
  if (path === '/big-stream') {
    // 8 MiB in 64 KiB chunks: far more than the socket buffers, so writes queue in libuv and the
    // writer must wait for the peer (or for socket-timeout when it never reads).
    start('200 OK', [['Content-Type', 'application/octet-stream']]);
    return (function* () {
      for (let i = 0; i < 128; i++) yield Buffer.alloc(65536, i);
    })();
  }
  if (path === '/stream') {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return (async function* () {
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 5));
        yield `part ${i}\n`;
      }
    })();
  }
  start('200 OK', [
    ['Content-Type', 'text/plain'],
    ['X-Path', path],
  ]);
  return [`hello ${environ.REQUEST_METHOD} ${path}`];
};

function vars(method: string, path: string, extra: Array<[string, string]> = []) {
  return encodePacket([
    ['REQUEST_METHOD', method],
    ['REQUEST_URI', path],
    ['PATH_INFO', path],
    ['QUERY_STRING', ''],
    ['CONTENT_LENGTH', ''],
    ['CONTENT_TYPE', ''],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['SERVER_NAME', 'test.local'],
    ['SERVER_PORT', '80'],
    ['REMOTE_ADDR', '127.0.0.1'],
    ['HTTP_HOST', 'test.local'],
    ...extra,
  ]);
}

describe('gateway/server uwsgi fast accept path', () => {
  let dir: string;
  let fast: Gateway;
  let regular: Gateway;
  const targets: Record<'fast' | 'regular', Target[]> = { fast: [], regular: [] };

  async function start(name: 'fast' | 'regular'): Promise<Gateway> {
    const gateway = await serve(app, {
      socket: [join(dir, `${name}.sock`), '127.0.0.1:0'],
      socketTimeout: 0.5,
      logger,
    });
    const [host, port] = gateway.addresses[1]!.address.split(':');
    targets[name] = [{ path: join(dir, `${name}.sock`) }, { host: host!, port: Number(port) }];
    return gateway;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-fast-'));
    fast = await start('fast');
    disableFastTransport();
    try {
      regular = await start('regular');
    } finally {
      disableFastTransport(false);
    }
  });

  after(async () => {
    await fast?.close({ force: true });
    await regular?.close({ force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers GET, HEAD and 204 with the same bytes as the regular path, on unix and TCP', async () => {
    for (const [method, path] of [
      ['GET', '/hello'],
      ['HEAD', '/hello'],
      ['GET', '/no-content'],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        const a = await rawRequest(targets.fast[i]!, vars(method, path));
        const b = await rawRequest(targets.regular[i]!, vars(method, path));
        assert.equal(a.end, 'close');
        assert.equal(a.data.toString('latin1'), b.data.toString('latin1'), `${method} ${path}`);
      }
    }
    // Served on the handle: no net.Socket, so no 'connection' event (the regular path has one).
    const connections = { fast: 0, regular: 0 };
    fast.listeners[0]!.server.on('connection', () => connections.fast++);
    regular.listeners[0]!.server.on('connection', () => connections.regular++);
    await rawRequest(targets.fast[0]!, vars('GET', '/hello'));
    await rawRequest(targets.regular[0]!, vars('GET', '/hello'));
    assert.deepEqual(connections, { fast: 0, regular: 1 });
    const res = parseResponse((await rawRequest(targets.fast[0]!, vars('GET', '/x'))).data);
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.body.toString(), 'hello GET /x');
    assert.ok(lines.some((l) => /request: 127\.0\.0\.1 GET \/x => 200 12 bytes in/.test(l)));
  });

  it('hands a split packet, a body and a ping to the regular path, and streams a response', async () => {
    for (const target of targets.fast) {
      const packet = vars('GET', '/split');
      const split = await rawRequest(target, [packet.subarray(0, 3), packet.subarray(3)], {
        gapMs: 30,
      });
      assert.equal(parseResponse(split.data).body.toString(), 'hello GET /split');

      const body = Buffer.from('0123456789');
      const post = encodePacket([
        ['REQUEST_METHOD', 'POST'],
        ['PATH_INFO', '/echo'],
        ['CONTENT_LENGTH', String(body.length)],
      ]);
      const echoed = await rawRequest(target, [post, body], { gapMs: 10 });
      assert.equal(parseResponse(echoed.data).body.toString(), '0123456789');
      const together = await rawRequest(target, Buffer.concat([post, body]));
      assert.equal(parseResponse(together.data).body.toString(), '0123456789');

      const ping = await rawRequest(target, Uint8Array.of(100, 0, 0, 0));
      assert.deepEqual([...ping.data], [0x64, 0x00, 0x00, 0x01]);

      const streamed = parseResponse((await rawRequest(target, vars('GET', '/stream'))).data);
      assert.equal(streamed.body.toString(), 'part 0\npart 1\npart 2\n');
    }
  });

  it('streams a large response on the handle with backpressure, byte for byte as the regular path', async () => {
    for (let i = 0; i < 2; i++) {
      const a = await rawRequest(targets.fast[i]!, vars('GET', '/big-stream'));
      const b = await rawRequest(targets.regular[i]!, vars('GET', '/big-stream'));
      assert.equal(a.end, 'close');
      const res = parseResponse(a.data);
      assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
      assert.equal(res.body.length, 128 * 65536);
      for (let k = 0; k < 128; k++) assert.equal(res.body[k * 65536 + 65535], k);
      assert.ok(a.data.equals(b.data), 'same bytes as the regular path');
    }
    assert.ok(lines.some((l) => /request: .*GET \/big-stream => 200 8388608 bytes in/.test(l)));
  });

  it('closes a streamed response whose peer stops reading after socket-timeout, logged', async () => {
    const before = lines.length;
    const socket = connect((targets.fast[0] as { path: string }).path);
    socket.on('error', () => {});
    socket.write(vars('GET', '/big-stream'));
    socket.pause(); // never reads: the gateway's writes stall (and the close stays unseen here)
    const deadline = Date.now() + 5000;
    const aborted = /GET \/big-stream => 200 \(aborted\)/;
    while (!lines.slice(before).some((l) => aborted.test(l)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    socket.destroy();
    const logged = lines.slice(before);
    assert.ok(
      logged.some((l) => /ERR_GATEWAY_WRITE_TIMEOUT.*socket-timeout/.test(l)),
      logged.join('\n'),
    );
    assert.ok(
      logged.some((l) => aborted.test(l)),
      logged.join('\n'),
    );
  });

  it('answers a bad packet as the regular path does (400 for plain HTTP)', async () => {
    const reply = await rawRequest(targets.fast[0]!, Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    assert.equal(parseResponse(reply.data).status, 400);
  });

  it('still answers a peer that half-closed after its packet', async () => {
    const reply = await rawRequest(targets.fast[0]!, vars('GET', '/slow'), { halfClose: true });
    assert.equal(parseResponse(reply.data).body.toString(), 'hello GET /slow');
  });

  it('closes a connection that sends nothing after socket-timeout, with a log line', async () => {
    const before = lines.length;
    const reply = await rawRequest(targets.fast[0]!, [], { timeoutMs: 5000 });
    assert.equal(reply.end, 'close');
    assert.equal(reply.data.length, 0);
    assert.ok(
      lines.slice(before).some((l) => /closed a connection that sent nothing in 0.5 s/.test(l)),
      lines.slice(before).join('\n'),
    );
  });

  it('a graceful close waits for a request in flight on the fast path', async () => {
    const gateway = await serve(app, { socket: [join(dir, 'graceful.sock')], logger });
    const started = new Promise<void>((resolve) => {
      slowStarted = resolve;
    });
    const reply = rawRequest({ path: join(dir, 'graceful.sock') }, vars('GET', '/slow'));
    await started;
    let closed = false;
    const closing = gateway.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(closed, false, 'close() resolved while a request was in flight');
    const res = parseResponse((await reply).data);
    assert.equal(res.body.toString(), 'hello GET /slow');
    await closing;
    slowStarted = () => {};
  });
});
