/**
 * Worker recycling with real processes: max-requests (graceful, no request lost), reload-on-rss
 * (checked on a timer, graceful), max-worker-lifetime.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type MasterProcess, startMaster, TEST_APP } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

describe('gateway/worker: recycling', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-recycle-'));
  const masters: MasterProcess[] = [];
  after(async () => {
    for (const m of masters) await m.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('max-requests: the worker retires after N requests and a new one serves; none fails', async () => {
    const sock = join(dir, 'max.sock');
    const m = await startMaster(
      [
        '--master',
        '--max-requests',
        '5',
        '--min-worker-lifetime',
        '0',
        '--socket',
        sock,
        '--disable-logging',
        TEST_APP,
      ],
      { workers: 1 },
    );
    masters.push(m);
    // The retiring worker keeps serving until its replacement accepts: keep asking until the
    // answer comes from another pid (bounded), and every answer must be a 200.
    const pids = new Set<string>();
    const deadline = Date.now() + 15_000;
    for (let i = 0; pids.size < 2 && Date.now() < deadline; i++) {
      const r = await uwsgiGet(sock, '/');
      assert.equal(r.status, 200, `request ${i}: ${r.text}`);
      pids.add(r.text.trim());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(pids.size >= 2, `expected a recycled worker, saw ${[...pids].join(', ')}`);
    await m.waitForLine(/recycling: max-requests 5 reached/);
    await m.waitForLine(/ended \(max-requests 5 reached, exit code 0\)/);
  });

  it('reload-on-rss: a worker over the limit is recycled gracefully on the timer', async () => {
    const sock = join(dir, 'rss.sock');
    const m = await startMaster(
      [
        '--master',
        '--reload-on-rss',
        '200',
        '--min-worker-lifetime',
        '0',
        '--socket',
        sock,
        '--disable-logging',
        TEST_APP,
      ],
      { workers: 1 },
    );
    masters.push(m);
    const [first] = m.readyPids();
    const grow = await uwsgiGet(sock, '/grow?mb=250');
    assert.equal(grow.status, 200);
    await m.waitForLine(/recycling: rss \d+ MB over reload-on-rss 200 MB/, 10_000);
    await m.waitFor('a new worker', () => m.readyPids().length >= 2, 15_000);
    const r = await uwsgiGet(sock, '/');
    assert.equal(r.status, 200);
    assert.notEqual(r.text.trim(), `ok ${first}`);
  });

  it('evil-reload-on-rss: the master kills a worker over the limit at once (SIGKILL)', async () => {
    const sock = join(dir, 'evil.sock');
    const m = await startMaster(
      ['--master', '--evil-reload-on-rss', '200', '--socket', sock, '--disable-logging', TEST_APP],
      { workers: 1 },
    );
    masters.push(m);
    const [first] = m.readyPids();
    // The kill may land mid-request (that is what "evil" means): no assertion on this reply.
    await uwsgiGet(sock, '/grow?mb=250');
    await m.waitForLine(/over evil-reload-on-rss 200 MB: SIGKILL/, 10_000);
    await m.waitForLine(
      new RegExp(`\\(pid ${first}\\) ended \\(evil-reload-on-rss, killed by SIGKILL\\)`),
    );
    await m.waitFor('a new worker', () => m.readyPids().length >= 2, 15_000);
    assert.equal((await uwsgiGet(sock, '/')).status, 200);
  });

  it('max-worker-lifetime: the worker is replaced after its lifetime', async () => {
    const sock = join(dir, 'life.sock');
    const m = await startMaster(
      ['--master', '--max-worker-lifetime', '2', '--socket', sock, '--disable-logging', TEST_APP],
      { workers: 1 },
    );
    masters.push(m);
    await m.waitForLine(/recycling: max-worker-lifetime 2 s reached/, 10_000);
    await m.waitFor('a new worker', () => m.readyPids().length >= 2, 15_000);
  });
});
