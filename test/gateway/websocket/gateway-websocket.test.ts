/**
 * WebSockets on the gateway's HTTP sockets with a real master and 2 workers, through the `ws`
 * client directly and through nginx proxy_pass; hostile clients by hand (unmasked frames, bad
 * UTF-8, oversized messages); harakiri, stats, pings, and the 1001 sent when a stop begins.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAndRead } from '../../../gateway/stats/connect-and-read.js';
import { encodeFrame, OPCODE } from '../../../gateway/websocket/frame-codec.js';
import { httpCall } from '../../helpers/http-client.js';
import { startMaster } from '../../helpers/master.js';
import { type Nginx, startNginx } from '../../helpers/nginx.js';
import { freePort } from '../../helpers/ports.js';
import { closeCodeIn, rawConnect, wsConnect } from '../../helpers/ws-client.js';

const APP = 'examples/websocket-echo.ts';
const MASK = new Uint8Array([1, 2, 3, 4]);

async function gateway(extra: string[] = [], workers = 2) {
  const port = await freePort();
  const statsPort = await freePort();
  const m = await startMaster(
    [
      '--master',
      '--processes',
      String(workers),
      '--http-socket',
      `127.0.0.1:${port}`,
      '--stats',
      `127.0.0.1:${statsPort}`,
      ...extra,
      APP,
    ],
    { workers },
  );
  return { m, port, statsPort };
}

describe('gateway: WebSockets', () => {
  let g: Awaited<ReturnType<typeof gateway>>;
  let nginx: Nginx | undefined;
  before(async () => {
    g = await gateway(['--websockets-max-size', '1', '--harakiri', '1']);
    nginx = await startNginx({
      upstreams: [{ name: 'ws', pass: `http://127.0.0.1:${g.port}`, protocol: 'websocket' }],
    });
  });
  after(async () => {
    await nginx?.stop();
    await g?.m.stop('SIGKILL');
  });

  for (const via of ['direct', 'nginx proxy_pass'] as const) {
    it(`${via}: echo of text and binary, subprotocol, server-initiated close`, async () => {
      const port = via === 'direct' ? g.port : nginx!.ports.ws!;
      const c = await wsConnect(`ws://127.0.0.1:${port}/echo`, ['chat', 'echo']);
      assert.equal(c.ws.protocol, 'echo');
      c.ws.send('héllo');
      assert.deepEqual(await c.next(), { data: 'héllo', binary: false });
      c.ws.send(new Uint8Array([0, 255, 7]));
      const bin = await c.next();
      assert.equal(bin.binary, true);
      assert.deepEqual([...(bin.data as Buffer)], [0, 255, 7]);
      c.ws.send('bye');
      assert.deepEqual(await c.closed, { code: 4000, reason: 'bye to you too' });
    });
  }

  it('a client close ends the app loop; both sides see the code', async () => {
    const c = await wsConnect(`ws://127.0.0.1:${g.port}/echo`);
    assert.equal(c.ws.protocol, '');
    c.ws.close(1000, 'done');
    assert.equal((await c.closed).code, 1000);
  });

  it('the app refuses the upgrade with an ordinary response (403), and the client sees it', async () => {
    await assert.rejects(wsConnect(`ws://127.0.0.1:${g.port}/elsewhere`), /status 403/);
  });

  it('a plain GET gets no tsgi.websocket (426 from the app)', async () => {
    const reply = await httpCall(g.port, { path: '/echo' });
    assert.equal(reply.status, 426);
  });

  it('an unmasked client frame is answered with close 1002', async () => {
    const raw = await rawConnect(g.port);
    assert.match(raw.head, /^HTTP\/1\.1 101 /);
    assert.match(raw.head, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
    raw.socket.write(encodeFrame(OPCODE.TEXT, new TextEncoder().encode('no mask')));
    await raw.ended;
    assert.equal(closeCodeIn(raw.received()), 1002);
  });

  it('a text message that is not UTF-8 is answered with close 1007', async () => {
    const raw = await rawConnect(g.port);
    raw.socket.write(encodeFrame(OPCODE.TEXT, new Uint8Array([0x61, 0xc0, 0xaf]), true, MASK));
    await raw.ended;
    assert.equal(closeCodeIn(raw.received()), 1007);
  });

  it('a message over websockets-max-size (1 KB) is answered with close 1009, and logged', async () => {
    const c = await wsConnect(`ws://127.0.0.1:${g.port}/echo`);
    c.ws.send('x'.repeat(1025));
    assert.equal((await c.closed).code, 1009);
    await g.m.waitForLine(/websocket closed with 1009: message too big/);
  });

  it('harakiri (1 s) does not touch an open idle socket; the stats count it', async () => {
    const c = await wsConnect(`ws://127.0.0.1:${g.port}/echo`);
    await sleep(2500);
    c.ws.send('still here');
    assert.deepEqual(await c.next(), { data: 'still here', binary: false });
    assert.ok(!g.m.lines.some((l) => l.includes('HARAKIRI')), g.m.lines.join('\n'));
    let open = 0;
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && open === 0) {
      const doc = JSON.parse(await connectAndRead(`127.0.0.1:${g.statsPort}`)) as {
        workers: Array<{ websockets: number; status: string }>;
      };
      open = doc.workers.reduce((a, w) => a + w.websockets, 0);
      if (open === 0) await sleep(100);
    }
    assert.equal(open, 1);
    c.ws.close();
    await c.closed;
  });
});

describe('gateway: WebSockets and the lifecycle', () => {
  it('pings every websockets-ping-freq; a peer that never answers is dropped', async () => {
    const g = await gateway(['--websockets-ping-freq', '1', '--websockets-pong-tolerance', '1'], 1);
    try {
      const c = await wsConnect(`ws://127.0.0.1:${g.port}/echo`);
      await sleep(2500);
      assert.ok(c.pings >= 1, `${c.pings} pings`);
      c.ws.send('alive');
      assert.equal((await c.next()).data, 'alive');
      // The raw client reads nothing and answers no ping.
      const raw = await rawConnect(g.port);
      await raw.ended;
      await g.m.waitForLine(/no pong within 1 s \(websockets-pong-tolerance\)/);
      c.ws.close();
    } finally {
      await g.m.stop('SIGKILL');
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`${signal}: open sockets get 1001 when the ${signal === 'SIGHUP' ? 'reload' : 'stop'} begins`, async () => {
      const g = await gateway(['--reload-mercy', '30', '--worker-reload-mercy', '30']);
      try {
        const c = await wsConnect(`ws://127.0.0.1:${g.port}/echo`);
        const t0 = Date.now();
        process.kill(g.m.pid, signal);
        const closed = await c.closed;
        assert.equal(closed.code, 1001);
        // At the start, not when the rolling reload reaches this worker (after a new one is ready).
        if (signal === 'SIGHUP') assert.equal(g.m.readyPids().length, 2);
        assert.ok(Date.now() - t0 < 5000, `1001 after ${Date.now() - t0} ms`);
        if (signal === 'SIGHUP') {
          // The new workers serve WebSockets.
          await g.m.waitFor('new workers', () => g.m.readyPids().length >= 4);
          const again = await wsConnect(`ws://127.0.0.1:${g.port}/echo`);
          again.ws.send('after reload');
          assert.equal((await again.next()).data, 'after reload');
          again.ws.close();
        } else {
          assert.equal(await g.m.exited, 0);
        }
      } finally {
        await g.m.stop('SIGKILL');
      }
    });
  }
});
