/**
 * The TSGI extensions in real workerd (Miniflare): tsgi.waitUntil is ctx.waitUntil (work goes on
 * after the response), the start-up hook runs once per isolate before the first request and its
 * state reaches every request. Uses the examples unchanged (./extensions-worker.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  bundleWorker,
  startWorker,
  type TempDir,
  tempDir,
  type WorkerRun,
} from '../../helpers/workerd.js';
import { wsConnect } from '../../helpers/ws-client.js';

const ENTRY = fileURLToPath(new URL('./extensions-worker.ts', import.meta.url));

describe('cloudflare-workers: extensions in workerd', () => {
  let tmp: TempDir | undefined;
  let worker: WorkerRun | undefined;
  before(async () => {
    tmp = tempDir();
    worker = await startWorker(await bundleWorker(ENTRY, tmp.dir));
  });
  after(async () => {
    await worker?.dispose();
    tmp?.remove();
  });
  const get = async (path: string) =>
    (await worker!.mf.dispatchFetch(`${worker!.url}${path}`)) as unknown as Response;

  test('waitUntil: the response goes out first, the work finishes after it', async () => {
    const res = await get('/bg/signup?email=ada@example.com&delay=1500');
    assert.equal(res.status, 202);
    await res.text();
    // The answer came while the mail was still pending: the response did not wait for it.
    assert.deepEqual(await (await get('/bg/outbox')).json(), []);
    const deadline = Date.now() + 10_000;
    let outbox: string[] = [];
    while (Date.now() < deadline && outbox.length === 0) {
      await sleep(50);
      outbox = (await (await get('/bg/outbox')).json()) as string[];
    }
    assert.deepEqual(outbox, ['welcome ada@example.com']);
  });

  test('start-up runs once per isolate before the first request; tsgi.state reaches requests', async () => {
    const first = (await (await get('/lifespan/')).json()) as { openedAt: string; queries: number };
    const second = (await (await get('/lifespan/')).json()) as {
      openedAt: string;
      queries: number;
    };
    assert.equal(first.queries, 1);
    assert.equal(second.queries, 2);
    assert.equal(second.openedAt, first.openedAt);
  });

  test('WebSocket: the 101 goes out at accept, the app loop echoes under waitUntil', async () => {
    const base = (await worker!.mf.ready).toString().replace(/^http/, 'ws');
    const c = await wsConnect(`${base}ws/echo`, ['echo']);
    assert.equal(c.ws.protocol, 'echo');
    c.ws.send('from a real client');
    assert.deepEqual(await c.next(), { data: 'from a real client', binary: false });
    c.ws.send(new Uint8Array([1, 2, 3]));
    const bin = await c.next();
    assert.equal(bin.binary, true);
    assert.deepEqual([...(bin.data as Buffer)], [1, 2, 3]);
    c.ws.send('bye');
    assert.deepEqual(await c.closed, { code: 4000, reason: 'bye to you too' });
  });

  test("WebSocket: a refused upgrade is the app's response; a plain GET has no tsgi.websocket", async () => {
    const base = (await worker!.mf.ready).toString().replace(/^http/, 'ws');
    await assert.rejects(wsConnect(`${base}ws/elsewhere`), /status 403/);
    const plain = await get('/ws/echo');
    assert.equal(plain.status, 426);
    await plain.text();
  });

  test('WebSocket: a client close ends the app loop', async () => {
    const base = (await worker!.mf.ready).toString().replace(/^http/, 'ws');
    const c = await wsConnect(`${base}ws/echo`);
    c.ws.send('one');
    assert.equal((await c.next()).data, 'one');
    c.ws.close(1000, 'client done');
    assert.equal((await c.closed).code, 1000);
  });
});
