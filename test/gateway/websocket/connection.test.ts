/**
 * GatewayWebSocket over a real loopback TCP connection (no HTTP, the handshake is not its job):
 * send() is backpressure (it stays pending while the peer reads nothing and the kernel buffers
 * are full, and resolves once the peer reads), messages that arrived with the handshake's bytes
 * are read, and a peer that never answers our close frame is cut after the close wait.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayWebSocket } from '../../../gateway/websocket/connection.js';
import { encodeFrame, OPCODE } from '../../../gateway/websocket/frame-codec.js';

const settings = {
  maxMessageBytes: 1 << 20,
  pingMs: 0,
  pongToleranceMs: 1000,
  closeWaitMs: 300,
  warn: () => {},
};

async function pair(): Promise<{ server: Socket; client: Socket; listener: Server }> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;
  const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
  const client = connect(port, '127.0.0.1');
  return { server: await accepted, client, listener };
}

describe('gateway/websocket: the socket', () => {
  const open: Array<{ server: Socket; client: Socket; listener: Server }> = [];
  after(() => {
    for (const p of open) {
      p.client.destroy();
      p.server.destroy();
      p.listener.close();
    }
  });

  it('send() waits while the peer reads nothing, and resolves once it reads', async () => {
    const p = await pair();
    open.push(p);
    p.client.pause(); // the peer reads nothing
    const ws = new GatewayWebSocket(p.server, new Uint8Array(0), '', settings);
    const chunk = new Uint8Array(256 * 1024);
    let pending: Promise<void> | undefined;
    let sent = 0;
    for (let i = 0; i < 200 && !pending; i++) {
      const sending = ws.send(chunk);
      const state = await Promise.race([
        sending.then(() => 'done'),
        sleep(50).then(() => 'waiting'),
      ]);
      sent++;
      if (state === 'waiting') pending = sending;
    }
    assert.ok(pending, `every one of ${sent} sends resolved although nobody read`);
    let resolved = false;
    void pending.then(() => (resolved = true));
    await sleep(200);
    assert.equal(resolved, false);
    p.client.resume();
    await pending;
  });

  it('reads frames that came with the handshake bytes, in order', async () => {
    const p = await pair();
    open.push(p);
    const mask = new Uint8Array([9, 8, 7, 6]);
    const head = encodeFrame(OPCODE.TEXT, new TextEncoder().encode('early'), true, mask);
    const ws = new GatewayWebSocket(p.server, head, '', settings);
    p.client.write(encodeFrame(OPCODE.TEXT, new TextEncoder().encode('later'), true, mask));
    const it = ws[Symbol.asyncIterator]();
    assert.deepEqual(await it.next(), { done: false, value: 'early' });
    assert.deepEqual(await it.next(), { done: false, value: 'later' });
  });

  it('a peer that never answers our close frame is cut after the close wait', async () => {
    const p = await pair();
    open.push(p);
    const ws = new GatewayWebSocket(p.server, new Uint8Array(0), '', settings);
    const ended = new Promise<void>((resolve) => p.client.once('close', () => resolve()));
    p.client.resume(); // reads (and ignores) our close frame, answers nothing
    ws.close(4001, 'go');
    // No close frame came back: the closing handshake did not complete (RFC 6455 7.1.5).
    assert.deepEqual(await ws.closed, { code: 1006, reason: '' });
    await ended;
  });

  it('close() refuses codes an app may not send', async () => {
    const p = await pair();
    open.push(p);
    const ws = new GatewayWebSocket(p.server, new Uint8Array(0), '', settings);
    assert.throws(() => ws.close(1006), RangeError);
    await assert.rejects(
      (async () => {
        ws.close();
        await ws.send('too late');
      })(),
      /ERR_TSGI_WEBSOCKET_CLOSED/,
    );
  });
});
