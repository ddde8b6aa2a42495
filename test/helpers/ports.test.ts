/**
 * freePort hands out a port a server binds a moment later (a gateway or nginx started as a child
 * process, seconds later under load). A port from the kernel's ephemeral range can be taken in
 * between as the local port of any outgoing connection (nginx opens one per uwsgi request), and
 * the server then fails with EADDRINUSE: ports come from below that range.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePort as nginxFrontPort } from './nginx-front.js';
import { freePort } from './ports.js';
import { freePort as workerdPort } from './workerd.js';

const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
  .trim()
  .split(/\s+/)
  .map(Number) as [number, number];

describe('test helpers: freePort', () => {
  it('gives ports below the ephemeral range, free to bind, not the same twice in a row', async () => {
    const ports: number[] = [];
    for (const pick of [freePort, nginxFrontPort, workerdPort]) {
      for (let i = 0; i < 20; i++) ports.push(await pick());
    }
    for (const port of ports) {
      assert.ok(port >= 1024 && port < low, `${port} is outside 1024..${low - 1}`);
    }
    for (let i = 1; i < ports.length; i++) assert.notEqual(ports[i], ports[i - 1]);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(ports.at(-1), '127.0.0.1', resolve));
    server.close();
  });

  it('an outgoing connection cannot hold the port it gives (the race it avoids)', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    assert.ok(client.localPort! >= low, 'the kernel gives outgoing connections ephemeral ports');
    client.destroy();
    server.close();
  });
});
