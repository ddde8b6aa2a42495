/**
 * A graceful stop from outside, on both HTTP transports (the raw handle and node:http): the
 * response under way is finished, a request pipelined behind it is answered and its connection
 * closed, connections that sent nothing are closed, and the stop does not wait for the
 * keep-alive timeout.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { serve } from '../../../gateway/server/serve.js';
import app from '../fixtures/app.js';

/**
 * `text`: everything read until the gateway closes (or `limitMs`); `ready`: the connection is
 * open and, when bytes were sent, the first reply bytes came (the request is under way).
 */
function readToClose(
  port: number,
  bytes: string,
  limitMs: number,
): { text: Promise<string>; ready: Promise<void> } {
  let ready!: () => void;
  const readyPromise = new Promise<void>((r) => {
    ready = r;
  });
  const text = new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`${text}<still open>`);
    }, limitMs);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      ready();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      ready();
      resolve(`${text}<closed>`);
    });
    socket.once('connect', () => {
      if (bytes) socket.write(bytes);
      else ready();
    });
  });
  return { text, ready: readyPromise };
}

for (const disableFastTransport of [false, true]) {
  const transport = disableFastTransport ? 'node:http' : 'the raw handle';
  describe(`gateway/server HTTP graceful stop (${transport})`, () => {
    it('finishes the response under way, closes after the next, closes idle ones', async () => {
      const gateway = await serve(app, {
        http: ['127.0.0.1:0'],
        httpKeepalive: 30,
        disableFastTransport,
        logger: createLogger({ write: () => {} }),
      });
      const port = Number(gateway.addresses[0]!.address.split(':')[1]);
      const busy = readToClose(
        port,
        'GET /stream?n=5 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n',
        5000,
      );
      const idle = readToClose(port, '', 5000);
      // The stream is under way and the silent connection accepted (condition, not a delay).
      await Promise.all([busy.ready, idle.ready]);
      await new Promise((r) => setTimeout(r, 20));
      const started = Date.now();
      await gateway.close();
      const took = Date.now() - started;
      const reply = await busy.text;
      assert.match(reply, /chunk 4\n\r\n0\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
      assert.match(reply, /\r\n\r\nHello, world!<closed>$/);
      // node:http may have composed that head before the stop began.
      if (!disableFastTransport) assert.match(reply, /Connection: close\r\n\r\nHello, world!/);
      assert.equal(await idle.text, '<closed>');
      assert.ok(took < 3000, `the stop took ${took} ms`);
    });
  });
}
