/**
 * Clients gone mid-response, from outside, on both HTTP transports (the raw handle and
 * node:http): one that resets (RST) is logged as aborted and the gateway keeps serving, and a
 * reset is not logged as a malformed request (a client resetting in a loop would otherwise fill
 * the log with false warnings); one that stops reading is cut after socket-timeout with a log
 * line naming the option.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import app from '../fixtures/app.js';

const SOCKET_TIMEOUT_S = 1;

/** Asks for a big body, resets the connection once the first bytes arrive. */
function resetMidResponse(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.once('data', () => socket.resetAndDestroy());
    socket.on('close', () => resolve());
    socket.write('GET /big?size=50000000 HTTP/1.1\r\nHost: x\r\n\r\n');
  });
}

/** Sends a request the app answers after `ms`, and resets the connection before that. */
function resetBeforeResponse(port: number, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.write(`GET /slow?ms=${ms} HTTP/1.1\r\nHost: x\r\n\r\n`, () => {
      setTimeout(() => socket.resetAndDestroy(), ms / 4);
    });
  });
}

/** Asks for a big body and reads none of it for `forMs`. */
function stalledDownload(port: number, forMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.pause();
    socket.write('GET /big?size=200000000 HTTP/1.1\r\nHost: x\r\n\r\n');
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, forMs);
  });
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out: ${text}`)), 5000);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

for (const disableFastTransport of [false, true]) {
  const transport = disableFastTransport ? 'node:http' : 'the raw handle';
  describe(`gateway/server clients gone mid-response (${transport})`, () => {
    let gateway: Gateway;
    let port: number;
    const lines: string[] = [];
    before(async () => {
      gateway = await serve(app, {
        http: ['127.0.0.1:0'],
        socketTimeout: SOCKET_TIMEOUT_S,
        disableFastTransport,
        logger: createLogger({ write: (line: string) => lines.push(line) }),
      });
      port = Number(gateway.addresses[0]!.address.split(':')[1]);
    });
    after(() => gateway?.close({ force: true }));

    it('logs the request aborted, no malformed request, and keeps serving', async () => {
      await Promise.all(Array.from({ length: 10 }, () => resetMidResponse(port)));
      assert.match(await get(port, '/hello'), /^HTTP\/1\.1 200 OK[\s\S]*Hello, world!$/);
      const shown = lines.join('\n');
      assert.ok(
        lines.some((l) => /GET \/big\S* => 200 \(aborted\)/.test(l)),
        shown,
      );
      assert.ok(!lines.some((l) => /malformed/.test(l)), shown);
    });

    it('logs a client gone before the response once, as "client gone", as every path does', async () => {
      await resetBeforeResponse(port, 400);
      const uri = '/slow?ms=400';
      // The app answers after the reset: wait for its request line (condition, not a delay).
      for (let i = 0; i < 100 && !lines.some((l) => l.includes(uri)); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 100));
      const mine = lines.filter((l) => l.includes(uri));
      assert.equal(mine.length, 1, lines.join('\n'));
      assert.match(mine[0]!, /GET \/slow\?ms=400 => 200 \(client gone\) 0 bytes/);
    });

    it('cuts a client that stops reading, after socket-timeout, naming the option', async () => {
      await stalledDownload(port, SOCKET_TIMEOUT_S * 3000);
      assert.ok(
        lines.some((l) => /ERR_GATEWAY_WRITE_TIMEOUT.*socket-timeout/.test(l)),
        lines.join('\n'),
      );
    });
  });
}
