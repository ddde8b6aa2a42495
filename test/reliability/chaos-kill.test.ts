// Chaos under load, part 2 (real nginx → unix socket → master with 3 workers, autocannon through
// nginx): kill -9 of a random worker every second for 10 s fails only requests that were in flight
// on the killed workers, each worker comes back (respawn times in the diagnostics), and nginx killed and
// restarted mid-load leaves the gateway serving with the same processes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpCall } from '../helpers/http-client.js';
import { load } from '../helpers/load.js';
import { alive, type MasterProcess, startMaster } from '../helpers/master.js';
import { type Nginx, startNginx } from '../helpers/nginx.js';
import { APP, CRASH_PATTERN, sleep } from './lib.js';

const WORKERS = 3;
const CONNECTIONS = 12;

describe('chaos: killed workers and a restarted nginx under load', () => {
  let dir: string;
  let sock: string;
  let master: MasterProcess;
  let nginx: Nginx;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-chaos-kill-'));
    sock = join(dir, 'app.sock');
    master = await startMaster(
      ['--master', '--processes', String(WORKERS), '--socket', sock, '--disable-logging', APP],
      { workers: WORKERS },
    );
    nginx = await startNginx({ upstreams: [{ name: 'app', pass: `unix:${sock}` }] });
  });

  after(async () => {
    await nginx?.stop();
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const liveWorkers = () => master.readyPids().filter(alive);

  it('kill -9 of a random worker every second for 10 s: only in-flight requests fail, each respawns', async (t) => {
    // When each master line arrived (the master does not timestamp them).
    const arrived: number[] = [];
    const clock = setInterval(() => {
      while (arrived.length < master.lines.length) arrived.push(performance.now());
    }, 5);
    const url = `http://127.0.0.1:${nginx.ports.app}/hello`;
    const running = load(url, CONNECTIONS, 12);
    await sleep(1000);
    const killed: number[] = [];
    for (let i = 0; i < 10; i++) {
      const tick = performance.now();
      // A random worker that is up (during a respawn backoff there may be fewer).
      const workers = liveWorkers().filter((p) => !killed.includes(p));
      if (workers.length > 0) {
        const victim = workers[Math.floor(Math.random() * workers.length)]!;
        process.kill(victim, 'SIGKILL');
        killed.push(victim);
      }
      await sleep(Math.max(0, 1000 - (performance.now() - tick)));
    }
    const result = await running;
    // No crash loop: back to full strength (after whatever backoff the master announced).
    await master.waitFor(`${WORKERS} live workers`, () => liveWorkers().length === WORKERS, 60_000);
    await sleep(20);
    clearInterval(clock);
    // Per death: time from the "died" line to the replacement's "ready" line, minus the backoff
    // the master announced in the died line; and that backoff.
    const respawnMs: number[] = [];
    const backoffs: number[] = [];
    master.lines.forEach((line, n) => {
      const died = /worker (\d+) \(pid \d+\) died .*?respawning(?: in (\d+) ms)?/.exec(line);
      if (!died) return;
      const ready = master.lines.findIndex(
        (l, m) => m > n && l.includes(`worker ${died[1]} (pid`) && /ready/.test(l),
      );
      const backoff = Number(died[2] ?? 0);
      backoffs.push(backoff);
      if (ready !== -1) respawnMs.push(arrived[ready]! - arrived[n]! - backoff);
    });
    const boots = master.lines
      .map((l) => /ready, generation \d+, (\d+) ms after spawn/.exec(l)?.[1])
      .filter((ms): ms is string => ms !== undefined)
      .slice(WORKERS)
      .map(Number)
      .sort((a, b) => a - b);
    const sorted = [...respawnMs].sort((a, b) => a - b);
    t.diagnostic(
      `${killed.length} × kill -9 under load: ${result.total} requests (${result.rps}/s), ${result.failed} failed ` +
        `(errors ${result.errors}, non-2xx ${result.non2xx}, timeouts ${result.timeouts}); ` +
        `death → ready ms besides backoff: median ${sorted[sorted.length >> 1]?.toFixed(0)}, max ${sorted[sorted.length - 1]?.toFixed(0)}; ` +
        `worker boot median ${boots[boots.length >> 1]} ms; crash-loop backoff per death: ${backoffs.join(', ')} ms`,
    );
    assert.ok(killed.length >= 5, `only ${killed.length} kills`);
    assert.ok(result.total > 1000, `too few requests: ${result.total}`);
    // A killed worker takes down at most the requests it held: one per connection at most.
    assert.ok(
      result.failed <= killed.length * CONNECTIONS,
      `${result.failed} failed for ${killed.length} kills of ${CONNECTIONS} connections`,
    );
    assert.equal(respawnMs.length, killed.length, 'a death without a replacement');
    // Respawn times are figures, not assertions (a loaded machine boots workers slowly); the
    // backoff applied to killed healthy workers is pinned by respawn-backoff.test.ts.
    for (const pid of killed) {
      assert.ok(!alive(pid));
      assert.ok(
        master.lines.some((l) => l.includes(`(pid ${pid}) died (killed by SIGKILL)`)),
        `no log line for ${pid}`,
      );
    }
    assert.equal((await httpCall(nginx.ports.app!, { path: '/hello' })).status, 200);
  });

  it('nginx killed and restarted mid-load: the gateway carries on with the same processes', async (t) => {
    await master.waitFor(`${WORKERS} live workers`, () => liveWorkers().length === WORKERS, 60_000);
    const before = liveWorkers();
    const firstUrl = `http://127.0.0.1:${nginx.ports.app}/hello`;
    const firstLoad = load(firstUrl, CONNECTIONS, 3);
    await sleep(1500);
    process.kill(nginx.pid, 'SIGKILL');
    await nginx.stop();
    const firstResult = await firstLoad;
    nginx = await startNginx({ upstreams: [{ name: 'app', pass: `unix:${sock}` }] });
    const url = `http://127.0.0.1:${nginx.ports.app}/hello`;
    const secondLoad = load(url, CONNECTIONS, 4);
    await sleep(1500);
    // And a graceful nginx reload (new nginx workers) in the middle of the second load.
    process.kill(nginx.pid, 'SIGHUP');
    const result = await secondLoad;
    t.diagnostic(
      `nginx killed mid-load: ${firstResult.total} requests before; after the restart ${result.total} ` +
        `requests (with an nginx SIGHUP), ${result.non2xx} non-2xx, ${result.errors} client errors, ` +
        `${result.timeouts} timeouts`,
    );
    assert.ok(result.total > 500);
    // The gateway failed nothing: no 502/504 from nginx. An nginx reload may still close a
    // keep-alive client connection just as autocannon reuses it (at most one per connection).
    assert.equal(result.non2xx, 0);
    assert.equal(result.timeouts, 0);
    assert.ok(result.errors <= CONNECTIONS, `${result.errors} client errors`);
    assert.deepEqual(liveWorkers(), before, 'a worker died or was replaced');
    assert.ok(alive(master.pid));
    assert.deepEqual(
      master.lines.filter((l) => CRASH_PATTERN.test(l)),
      [],
    );
  });
});
