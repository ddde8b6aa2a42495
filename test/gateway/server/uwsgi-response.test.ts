// The uwsgi response writer (gateway/server/uwsgi-response.ts): a body known whole leaves in one
// write; a big one as the head plus the app's own chunks (a vectored write, no copy into one
// buffer), on the fast transport and on a net.Socket alike.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type App, type AppResponse, runApp } from 'tsgi';
import type { Logger } from '../../../gateway/logging/logger.js';
import { disableFastTransport } from '../../../gateway/server/node-internals.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import {
  type ResponseTarget,
  writeResponse,
  writeWhole,
} from '../../../gateway/server/uwsgi-response.js';
import {
  openSocket,
  parseResponse,
  rawRequest,
  type Target,
  uwsgiGet,
} from '../../helpers/uwsgi-client.js';

/** A target that records what the writer hands it (the writer's contract, no socket). */
class Recorder implements ResponseTarget {
  readonly closed = false;
  readonly writes: Uint8Array[] = [];
  readonly vectored: Array<readonly Uint8Array[]> = [];
  /** Every byte handed over, in order. */
  readonly wire: Uint8Array[] = [];
  constructor(vectors: boolean) {
    if (!vectors) this.writev = undefined;
  }
  write(bytes: Uint8Array): boolean {
    this.writes.push(bytes);
    this.wire.push(bytes);
    return true;
  }
  writev?(chunks: readonly Uint8Array[]): boolean {
    this.vectored.push(chunks);
    this.wire.push(...chunks);
    return true;
  }
  waitDrain(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

async function responseOf(chunks: Uint8Array[]): Promise<AppResponse> {
  const app: App = (_environ, start) => {
    start('200 OK', [['Content-Type', 'application/octet-stream']]);
    return chunks;
  };
  return runApp(app, { REQUEST_METHOD: 'GET', PATH_INFO: '/' } as never);
}

function concat(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
}

describe('gateway/server uwsgi-response writeWhole', () => {
  it('sends a big body as the head plus the app’s own chunks, in one vectored write', async () => {
    const a = new Uint8Array(40 * 1024).fill(97);
    const b = new Uint8Array(30 * 1024).fill(98);
    const target = new Recorder(true);
    const outcome = writeWhole(target, await responseOf([a, b]), false);
    assert.deepEqual(outcome, { status: 200, bytes: a.length + b.length, ok: true });
    assert.equal(target.writes.length, 0);
    assert.equal(target.vectored.length, 1);
    const [head, ...body] = target.vectored[0]!;
    assert.match(Buffer.from(head!).toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n$/);
    // The very buffers the app returned: nothing copied.
    assert.equal(body.length, 2);
    assert.equal(body[0], a);
    assert.equal(body[1], b);
  });

  it('copies a small body into one write with the head (a pooled buffer, one system call)', async () => {
    const target = new Recorder(true);
    writeWhole(target, await responseOf([new TextEncoder().encode('hello')]), false);
    assert.equal(target.vectored.length, 0);
    assert.equal(target.writes.length, 1);
    assert.match(Buffer.from(target.writes[0]!).toString('latin1'), /\r\n\r\nhello$/);
  });

  it('writes a big body once, copied, to a target without vectored writes', async () => {
    const a = new Uint8Array(64 * 1024).fill(99);
    const target = new Recorder(false);
    writeWhole(target, await responseOf([a, a]), false);
    assert.equal(target.writes.length, 1);
    const wire = Buffer.from(target.writes[0]!);
    assert.equal(wire.subarray(wire.indexOf('\r\n\r\n') + 4).length, 2 * a.length);
  });
});

/** Sends `packet`, reads nothing for `pauseMs` (the server's write backs up), then reads to the end. */
function readLate(target: Target, packet: Uint8Array, pauseMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = openSocket(target);
    const parts: Buffer[] = [];
    socket.pause();
    socket.on('data', (c: Buffer) => parts.push(c));
    socket.on('end', () => resolve(Buffer.concat(parts)));
    socket.on('error', reject);
    socket.write(packet);
    setTimeout(() => socket.resume(), pauseMs);
  });
}

describe('gateway/server uwsgi-response streamed bodies', () => {
  const log: Logger = { info() {}, warn() {}, error() {}, request() {} };

  it('sends the chunks an app yields in one turn as one vectored write with the head', async () => {
    const chunk = new Uint8Array(1024).fill(98);
    const app: App = (_environ, start) => {
      start('200 OK', [['Content-Type', 'application/octet-stream']]);
      return (async function* () {
        for (let i = 0; i < 16; i++) yield chunk;
      })();
    };
    const response = await runApp(app, { REQUEST_METHOD: 'GET', PATH_INFO: '/' } as never);
    const target = new Recorder(true);
    const outcome = await writeResponse(target, response, false, log);
    assert.deepEqual(outcome, { status: 200, bytes: 16 * 1024, ok: true });
    assert.equal(target.writes.length, 0);
    assert.equal(target.vectored.length, 1, 'one write for the head and all 16 chunks');
    assert.equal(target.vectored[0]!.length, 17);
  });

  it('writes chunks an app yields in different turns as they come', async () => {
    const app: App = (_environ, start) => {
      start('200 OK', []);
      return (async function* () {
        for (let i = 0; i < 3; i++) {
          await new Promise((r) => setTimeout(r, 5));
          yield `part ${i}`;
        }
      })();
    };
    const response = await runApp(app, { REQUEST_METHOD: 'GET', PATH_INFO: '/' } as never);
    const target = new Recorder(true);
    await writeResponse(target, response, false, log);
    const sent = target.writes.length + target.vectored.length;
    assert.ok(sent >= 3, `${sent} writes`);
    assert.match(concat(target.wire).toString('latin1'), /\r\n\r\npart 0part 1part 2$/);
  });
});

describe('gateway/server big bodies over uwsgi, fast transport and net.Socket', () => {
  const logger: Logger = { info() {}, warn() {}, error() {}, request() {} };
  /** 3 MiB in 5 uneven chunks: more than a unix socket's buffer, so the write completes later. */
  const parts = [1, 700 * 1024, 13, 2 * 1024 * 1024, 300 * 1024 - 14].map((n, i) =>
    new Uint8Array(n).fill(65 + i),
  );
  const expected = concat(parts);
  const app: App = async (environ, start) => {
    if (environ.PATH_INFO === '/echo') {
      const body = await environ['wsgi.input'].read();
      start('200 OK', [['Content-Length', String(body.length)]]);
      return [body];
    }
    start('200 OK', [['Content-Length', String(expected.length)]]);
    return parts;
  };
  let dir: string;
  const gateways: Gateway[] = [];
  const targets: Array<{ name: string; target: Target }> = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-bigbody-'));
    for (const name of ['fast', 'regular']) {
      disableFastTransport(name === 'regular');
      try {
        const path = join(dir, `${name}.sock`);
        gateways.push(await serve(app, { socket: [path], socketTimeout: 5, logger }));
        targets.push({ name, target: { path } });
      } finally {
        disableFastTransport(false);
      }
    }
  });

  after(async () => {
    for (const g of gateways) await g.close({ force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a 3 MiB response of several chunks intact to a reader that takes its time', async () => {
    for (const { name, target } of targets) {
      const res = parseResponse(await readLate(target, uwsgiGet('/big'), 300));
      assert.equal(res.statusLine, 'HTTP/1.1 200 OK', name);
      assert.equal(res.body.length, expected.length, name);
      assert.ok(res.body.equals(expected), name);
    }
  });

  it('echoes a 64 KiB body intact', async () => {
    const body = Buffer.alloc(64 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    for (const { name, target } of targets) {
      const packet = uwsgiGet('/echo', [['CONTENT_LENGTH', String(body.length)]]);
      const reply = await rawRequest(target, [packet, body]);
      const res = parseResponse(reply.data);
      assert.equal(res.statusLine, 'HTTP/1.1 200 OK', name);
      assert.ok(res.body.equals(body), name);
    }
  });
});
