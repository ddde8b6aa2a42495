/**
 * socket-timeout on a response being written is a limit on progress, as nginx's send_timeout (the
 * time between two successful writes, not the whole response): a client that reads slowly but
 * steadily gets all of a response that takes many times socket-timeout to send, on every path;
 * a client that stops reading is still cut after socket-timeout with ERR_GATEWAY_WRITE_TIMEOUT.
 * Unix sockets keep the kernel's buffering small (a few hundred KiB), so the gateway itself holds
 * the rest of the response while the client reads.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import type { App } from '../../../src/index.js';
import { uwsgiGet } from '../../helpers/uwsgi-client.js';

const SIZE = 6 * 1024 * 1024;
/** Bytes per second the slow client reads: the response takes about 4 s, socket-timeout is 1 s. */
const RATE = 1.5 * 1024 * 1024;

/** /whole: the body as one buffer (one write); /chunks: streamed in 2 MiB chunks. */
const app: App = (environ, start) => {
  start('200 OK', [
    ['Content-Type', 'application/octet-stream'],
    ['Content-Length', String(SIZE)],
  ]);
  if (environ.PATH_INFO === '/whole') return [new Uint8Array(SIZE).fill(0x61)];
  return (async function* () {
    for (let sent = 0; sent < SIZE; sent += 2 * 1024 * 1024) {
      yield new Uint8Array(2 * 1024 * 1024).fill(0x62);
    }
  })();
};

/**
 * Sends `request` and reads the reply at `rate` bytes/s (0: reads the first bytes, then nothing);
 * resolves with the bytes received when the server closes or after `giveUpMs`.
 */
/** Every client socket, destroyed when a test is done with them. */
const clientSockets = new Set<Socket>();

function download(
  path: string,
  request: Uint8Array,
  rate: number,
  giveUpMs: number,
): Promise<{ bytes: number; ms: number }> {
  return new Promise((resolve) => {
    const s = connect(path);
    clientSockets.add(s);
    const started = Date.now();
    let bytes = 0;
    let resumeTimer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(giveUp);
      clearTimeout(resumeTimer);
      s.destroy();
      resolve({ bytes, ms: Date.now() - started });
    };
    const giveUp = setTimeout(done, giveUpMs);
    s.on('error', () => {});
    s.on('close', done);
    s.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (rate === 0) {
        s.pause();
        return;
      }
      // Ahead of the steady pace: wait until the pace catches up.
      const aheadMs = (bytes / rate) * 1000 - (Date.now() - started);
      if (aheadMs > 0) {
        s.pause();
        resumeTimer = setTimeout(() => s.resume(), aheadMs);
      }
    });
    s.once('connect', () => s.write(request));
  });
}

const HTTP_REQUEST = (path: string) =>
  Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

for (const fast of [true, false]) {
  describe(`gateway/server: socket-timeout on writes counts progress (${fast ? 'raw handle' : 'net.Socket and node:http'})`, () => {
    const lines: string[] = [];
    let gateway: Gateway;
    let dir: string;
    const paths = { http: '', uwsgi: '' };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tsgi-write-timeout-'));
      paths.http = join(dir, 'http.sock');
      paths.uwsgi = join(dir, 'uwsgi.sock');
      gateway = await serve(app, {
        httpSocket: [paths.http],
        socket: [paths.uwsgi],
        socketTimeout: 1,
        disableFastTransport: !fast,
        logger: createLogger({ write: (line) => lines.push(line) }),
      });
    });
    after(async () => {
      await gateway?.close({ force: true });
      rmSync(dir, { recursive: true, force: true });
    });

    const request = (kind: 'http' | 'uwsgi', path: string) =>
      kind === 'http' ? HTTP_REQUEST(path) : uwsgiGet(path);

    it('a client reading slowly but steadily gets the whole response (one write and big chunks)', async () => {
      const cases = (['http', 'uwsgi'] as const).flatMap((kind) =>
        ['/whole', '/chunks'].map((path) => ({ kind, path })),
      );
      const results = await Promise.all(
        cases.map(({ kind, path }) => download(paths[kind], request(kind, path), RATE, 30_000)),
      );
      cases.forEach(({ kind, path }, i) => {
        const { bytes, ms } = results[i]!;
        assert.ok(bytes > SIZE, `${kind} ${path}: ${bytes} bytes of ${SIZE} in ${ms} ms`);
        // It took several times socket-timeout: the limit was on progress, not on the whole.
        assert.ok(ms > 2500, `${kind} ${path}: ${ms} ms`);
      });
      assert.ok(!lines.some((l) => l.includes('ERR_GATEWAY_WRITE_TIMEOUT')), lines.join('\n'));
    });

    it('a client that stops reading is cut after socket-timeout, logged', async () => {
      const before = lines.length;
      const cases = (['http', 'uwsgi'] as const).flatMap((kind) =>
        ['/whole', '/chunks'].map((path) => ({ kind, path })),
      );
      const cut = () => lines.slice(before).filter((l) => l.includes('ERR_GATEWAY_WRITE_TIMEOUT'));
      const started = Date.now();
      // A client that stops reading sees no close either: the gateway's log says it was cut.
      const clients = cases.map(({ kind, path }) =>
        download(paths[kind], request(kind, path), 0, 10_000),
      );
      while (cut().length < cases.length && Date.now() - started < 8000) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const ms = Date.now() - started;
      assert.equal(
        cut().length,
        cases.length,
        `after ${ms} ms:\n${lines.slice(before).join('\n')}`,
      );
      for (const line of cut()) assert.match(line, /\d+ bytes unread, 1 s \(socket-timeout\)/);
      for (const s of clientSockets) s.destroy();
      for (const { bytes } of await Promise.all(clients)) assert.ok(bytes < SIZE, `${bytes}`);
    });
  });
}
