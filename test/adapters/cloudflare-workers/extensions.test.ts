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
});
