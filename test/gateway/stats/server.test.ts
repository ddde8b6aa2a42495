/**
 * The stats server against hostile clients, from outside: clients that connect and then neither
 * read nor close must not keep the master's descriptors (the master also spawns workers and
 * accepts on them), in plain and in --stats-http mode.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { type MasterProcess, startMaster, TEST_APP, waitUntil } from '../../helpers/master.js';
import { freePort } from '../../helpers/nginx-front.js';

const IDLE_CLIENTS = 40;

const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

/** A client that takes the answer's first bytes and then never reads on nor closes its side. */
function openIdle(port: number, send: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
      if (send) socket.write(send);
    });
    socket.once('data', () => {
      socket.pause();
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

/** One document, read as a client would: raw, or over HTTP with --stats-http. */
function readDocument(port: number, http: boolean): Promise<{ pid: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      if (http) socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error('no document within 5 s')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve(JSON.parse(http ? text.slice(text.indexOf('\r\n\r\n') + 4) : text));
      socket.destroy();
    });
  });
}

describe('gateway/stats/server', () => {
  const masters: MasterProcess[] = [];
  const clients: Socket[] = [];

  after(async () => {
    for (const c of clients) c.destroy();
    for (const m of masters) await m.stop();
  });

  for (const http of [false, true]) {
    it(`closes its side after answering clients that never read or close${http ? ' (--stats-http)' : ''}`, async () => {
      const port = await freePort();
      const master = await startMaster(
        [
          '--master',
          '--http-socket',
          `127.0.0.1:${await freePort()}`,
          '--stats',
          `127.0.0.1:${port}`,
          ...(http ? ['--stats-http'] : []),
          '--disable-logging',
          TEST_APP,
        ],
        { workers: 1 },
      );
      masters.push(master);
      await readDocument(port, http); // warm: the first document built
      const baseline = openFds(master.pid);
      const request = http ? 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' : '';
      for (let i = 0; i < IDLE_CLIENTS; i++) clients.push(await openIdle(port, request));
      await waitUntil(
        `the master's descriptors back near ${baseline} (now ${openFds(master.pid)})`,
        () => openFds(master.pid) <= baseline + 4,
        4000,
      );
      // Still answers a well-behaved client.
      assert.equal((await readDocument(port, http)).pid, master.pid);
    });
  }
});
