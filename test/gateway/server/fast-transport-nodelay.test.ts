/**
 * Streamed responses on the HTTP fast transport (http-fast-accept.ts) go out without Nagle's
 * algorithm, as node:http sets TCP_NODELAY on every connection: with it, the last small chunk of
 * a response, written while an earlier one is unacknowledged, waits for the client's delayed
 * acknowledgement (40 ms on Linux), so every streamed response on a kept-alive connection took
 * 40 ms or more. Twenty in a row are measured against a bound far below twenty such stalls.
 * (uwsgi-fast-accept.ts does the same from a response's second write; there nginx's connection
 * closes after each response, which sends whatever Nagle held back.)
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { App } from 'tsgi';
import type { Logger } from '../../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';

const logger: Logger = { info() {}, warn() {}, error() {}, request() {} };
const CHUNKS = 16;

/** 16 small chunks, each produced after the previous one was written. */
const app: App = (_environ, start) => {
  start('200 OK', [['Content-Type', 'text/plain']]);
  return (async function* () {
    for (let i = 0; i < CHUNKS; i++) yield `chunk ${i}\n`;
  })();
};

const ROUNDS = 20;
/** 20 responses × a 40 ms stall would be 800 ms; without the stalls they take a few ms each. */
const BOUND_MS = 400;

describe('gateway/server HTTP fast transport over TCP: streamed chunks are not held back', () => {
  let gateway: Gateway;
  let httpPort: number;

  before(async () => {
    gateway = await serve(app, {
      httpSocket: ['127.0.0.1:0'],
      logger,
    });
    httpPort = Number(gateway.addresses[0]!.address.split(':')[1]);
  });
  after(() => gateway?.close({ force: true }));

  it('streams 20 keep-alive responses of 16 chunks over HTTP without a stall each', async () => {
    const socket = connect(httpPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let text = '';
    let waiter: (() => void) | undefined;
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (text.endsWith('\r\n0\r\n\r\n')) waiter?.();
    });
    const once = () =>
      new Promise<void>((resolve) => {
        text = '';
        waiter = resolve;
        socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      });
    try {
      await once(); // warm-up, and past the connection's first quick acknowledgements
      await once();
      const start = performance.now();
      for (let i = 0; i < ROUNDS; i++) await once();
      const ms = performance.now() - start;
      assert.ok(ms < BOUND_MS, `${ROUNDS} streamed responses took ${ms.toFixed(0)} ms`);
    } finally {
      socket.destroy();
    }
  });
});
