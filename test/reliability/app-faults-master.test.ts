// App faults under the master (nginx → unix socket → 2 workers): throwing apps leave their worker
// alive; a memory-hungry app over reload-on-rss is recycled gracefully while a load runs (no
// failed request), and over evil-reload-on-rss it is killed and replaced; each with a log line
// that names the option.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpCall } from '../helpers/http-client.js';
import { load } from '../helpers/load.js';
import { alive, type MasterProcess, startMaster } from '../helpers/master.js';
import { type Nginx, startNginx } from '../helpers/nginx.js';
import { APP, sleep } from './lib.js';

/** A master with two workers and the given extra options, behind a loopback nginx. */
async function startBehindNginx(
  dir: string,
  extra: string[],
): Promise<{ master: MasterProcess; nginx: Nginx }> {
  const sock = join(dir, 'app.sock');
  const master = await startMaster(
    ['--master', '--processes', '2', '--socket', sock, ...extra, '--disable-logging', APP],
    { workers: 2 },
  );
  const nginx = await startNginx({ upstreams: [{ name: 'app', pass: `unix:${sock}` }] });
  return { master, nginx };
}

describe('app faults under the master', () => {
  let dir: string;
  let master: MasterProcess;
  let nginx: Nginx;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-faults-master-'));
    ({ master, nginx } = await startBehindNginx(dir, [
      '--reload-on-rss',
      '200',
      '--evil-reload-on-rss',
      '600',
      '--min-worker-lifetime',
      '0',
    ]));
  });

  after(async () => {
    await nginx?.stop();
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const live = () => master.readyPids().filter(alive);

  it('throwing apps get 500s and their workers survive', async () => {
    const before = live();
    for (let i = 0; i < 6; i++) {
      for (const route of ['/sync-throw', '/async-reject', '/start-twice', '/no-start']) {
        assert.equal((await httpCall(nginx.ports.app!, { path: route })).status, 500);
      }
    }
    assert.deepEqual(live(), before);
    assert.ok(master.lines.some((l) => /sync-throw: the app failed before startResponse/.test(l)));
    assert.ok(master.lines.some((l) => /ERR_TSGI_START_RESPONSE_TWICE/.test(l)));
  });

  it('a worker over reload-on-rss is recycled gracefully under load: 0 failed requests', async (t) => {
    const before = live();
    const running = load(`http://127.0.0.1:${nginx.ports.app}/hello`, 8, 6);
    await sleep(1000);
    const hog = JSON.parse(
      (await httpCall(nginx.ports.app!, { path: '/hog?mb=300' })).body.toString(),
    );
    const line = await master.waitForLine(
      /recycling: rss \d+ MB over reload-on-rss 200 MB/,
      15_000,
    );
    await master.waitFor('the hog replaced', () => !alive(hog.pid) && live().length === 2, 15_000);
    const result = await running;
    t.diagnostic(`${line.trim()}; load: ${result.total} requests, ${result.failed} failed`);
    assert.ok(before.includes(hog.pid));
    assert.equal(result.failed, 0);
  });
});

// Its own master without --reload-on-rss: with both limits, the hog's worker could recycle itself
// gracefully and exit before the master's once-a-second evil check saw it.
describe('evil-reload-on-rss under the master', () => {
  let dir: string;
  let master: MasterProcess;
  let nginx: Nginx;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-faults-evil-'));
    ({ master, nginx } = await startBehindNginx(dir, [
      '--evil-reload-on-rss',
      '600',
      '--min-worker-lifetime',
      '0',
    ]));
  });

  after(async () => {
    await nginx?.stop();
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const live = () => master.readyPids().filter(alive);

  it('a worker over evil-reload-on-rss is killed (SIGKILL) and replaced, naming the option', async () => {
    // The hog's own request may die with its worker (nginx answers 502): it was in flight.
    const status = (await httpCall(nginx.ports.app!, { path: '/hog?mb=700' })).status;
    assert.ok(status === 200 || status === 502, `status ${status}`);
    const line = await master.waitForLine(
      /rss \d+ MB over evil-reload-on-rss 600 MB: SIGKILL/,
      15_000,
    );
    const pid = Number(/\(pid (\d+)\)/.exec(line)?.[1]);
    await master.waitFor('the hog replaced', () => !alive(pid) && live().length === 2, 15_000);
    assert.equal((await httpCall(nginx.ports.app!, { path: '/hello' })).status, 200);
  });
});
