/**
 * --http-keepalive: an idle keep-alive connection on an HTTP socket is closed after the configured
 * seconds (node adds one second over the advertised `Keep-Alive: timeout=N`, so a client reusing
 * the connection just before N does not race the close), never before; a connection in the middle
 * of a request is bounded by socket-timeout, not by the keep-alive timer.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import app from '../fixtures/app.js';

const logger = createLogger({ write: () => {} });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(httpKeepalive: number, socketTimeout: number): Promise<[Gateway, number]> {
  const gateway = await serve(app, { http: ['127.0.0.1:0'], httpKeepalive, socketTimeout, logger });
  const address = gateway.addresses.find((a) => a.kind === 'http')!.address;
  return [gateway, Number(address.split(':')[1])];
}

/** A raw connection that collects what comes back and notes when the server closed it. */
function open(
  port: number,
): Promise<{ socket: Socket; text: () => string; closed: Promise<number> }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
    });
    socket.on('error', () => {});
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now())));
    socket.once('connect', () => resolve({ socket, text: () => text, closed }));
  });
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(10);
  }
}

const GET = 'GET /hello HTTP/1.1\r\nHost: t\r\n\r\n';
const responses = (text: string) => text.match(/HTTP\/1\.1 200 /g)?.length ?? 0;

describe('gateway/server HTTP --http-keepalive', () => {
  let short: Gateway;
  let shortPort: number;
  let long: Gateway;
  let longPort: number;

  before(async () => {
    // Keep-alive longer than socket-timeout: the header timer must not close an idle connection.
    [short, shortPort] = await start(2, 1);
    // Keep-alive shorter than socket-timeout: a slow request outlives the keep-alive timer.
    [long, longPort] = await start(1, 4);
  });
  after(async () => {
    await short?.close({ force: true });
    await long?.close({ force: true });
  });

  it('advertises the timeout and closes an idle connection after it, not before', async () => {
    const c = await open(shortPort);
    c.socket.write(GET);
    await until(() => responses(c.text()) === 1);
    const idleSince = Date.now();
    assert.match(c.text(), /\r\nKeep-Alive: timeout=2\r\n/i);
    const closedAt = await Promise.race([c.closed, sleep(6000).then(() => Number.NaN)]);
    c.socket.destroy();
    const idle = closedAt - idleSince;
    assert.ok(idle >= 2000, `closed after ${idle} ms, before the 2 s keep-alive`);
    assert.ok(idle < 4500, `still open after ${idle} ms with --http-keepalive 2`);
    assert.doesNotMatch(c.text(), /408/);
  });

  it('serves a request sent just before the timeout on the same connection', async () => {
    const c = await open(shortPort);
    c.socket.write(GET);
    await until(() => responses(c.text()) === 1);
    await sleep(1800);
    c.socket.write(GET);
    await until(() => responses(c.text()) === 2);
    c.socket.destroy();
  });

  it('does not cut a connection in the middle of a request head', async () => {
    const c = await open(longPort);
    c.socket.write(GET);
    await until(() => responses(c.text()) === 1);
    c.socket.write('GET /hello HTTP/1.1\r\n');
    await sleep(2600); // Past keep-alive (1 s) plus node's one-second margin.
    c.socket.write('Host: t\r\n\r\n');
    await until(() => responses(c.text()) === 2);
    c.socket.destroy();
  });

  it('does not cut a connection in the middle of a request body', async () => {
    const c = await open(longPort);
    c.socket.write(GET);
    await until(() => responses(c.text()) === 1);
    c.socket.write('POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab');
    await sleep(2600);
    c.socket.write('cd');
    await until(() => /\r\n\r\nabcd/.test(c.text()));
    c.socket.destroy();
  });

  it('answers 408 to a head stalled past socket-timeout, not sooner', async () => {
    const c = await open(longPort);
    c.socket.write(GET);
    await until(() => responses(c.text()) === 1);
    const began = Date.now();
    c.socket.write('GET /hello HTTP/1.1\r\n');
    const closedAt = await Promise.race([c.closed, sleep(9000).then(() => Number.NaN)]);
    c.socket.destroy();
    assert.match(c.text(), /HTTP\/1\.1 408 /);
    const waited = closedAt - began;
    assert.ok(waited >= 3000 && waited < 7000, `408 after ${waited} ms with socket-timeout 4`);
  });

  it('closes after each response with --http-keepalive 0', async () => {
    const [off, offPort] = await start(0, 4);
    try {
      const c = await open(offPort);
      c.socket.write(GET);
      const closedAt = await Promise.race([c.closed, sleep(3000).then(() => Number.NaN)]);
      c.socket.destroy();
      assert.match(c.text(), /^HTTP\/1\.1 200 [\s\S]*\r\nConnection: close\r\n/i);
      assert.ok(!Number.isNaN(closedAt), 'connection left open');
    } finally {
      await off.close({ force: true });
    }
  });
});
