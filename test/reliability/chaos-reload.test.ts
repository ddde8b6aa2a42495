// Chaos under load, part 1 (real nginx → unix socket → master with 2 workers, autocannon through
// nginx): five SIGHUPs in a row fail no request and leave 2 fresh workers; SIGTERM lets in-flight
// requests finish, then the master exits 0.
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

const WORKERS = 2;

describe('chaos: reloads and graceful stop under load', () => {
  let dir: string;
  let sock: string;
  let master: MasterProcess;
  let nginx: Nginx;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-chaos-reload-'));
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

  it('SIGHUP five times under load: 0 failed requests, every worker replaced', async (t) => {
    const first = master.readyPids();
    const url = `http://127.0.0.1:${nginx.ports.app}/hello`;
    const running = load(url, 20, 9);
    await sleep(1000);
    for (let i = 0; i < 5; i++) {
      const before = master.readyPids().length;
      process.kill(master.pid, 'SIGHUP');
      // The next SIGHUP once this reload has started new workers (a rolling reload each time).
      await master.waitFor(
        `reload ${i + 1}`,
        () => master.readyPids().length >= before + WORKERS,
        10_000,
      );
      await sleep(300);
    }
    const result = await running;
    t.diagnostic(
      `5 × SIGHUP under load: ${result.total} requests (${result.rps}/s), ${result.failed} failed ` +
        `(errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx})`,
    );
    assert.ok(result.total > 500, `too few requests: ${result.total}`);
    assert.equal(result.failed, 0);
    await master.waitFor('first workers gone', () => first.every((p) => !alive(p)), 10_000);
    const live = master.readyPids().filter(alive);
    assert.equal(live.length, WORKERS, `live workers: ${live}`);
    // (info lines about autocannon closing its connections at the end are expected.)
    assert.doesNotMatch(nginx.errorLog(), /\[(error|crit|alert|emerg)\]/);
  });

  it('SIGTERM: in-flight requests finish with 200, then the master exits 0', async (t) => {
    const workers = master.readyPids().filter(alive);
    const inFlight = Array.from({ length: 6 }, () =>
      httpCall(nginx.ports.app!, { path: '/slow?ms=1500', timeoutMs: 15_000 }),
    );
    await sleep(400);
    const stoppedAt = performance.now();
    process.kill(master.pid, 'SIGTERM');
    const results = await Promise.all(inFlight);
    const code = await master.exited;
    t.diagnostic(
      `master exited ${code} ${(performance.now() - stoppedAt).toFixed(0)} ms after SIGTERM`,
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(6).fill(200),
    );
    assert.equal(code, 0);
    for (const pid of workers) assert.ok(!alive(pid), `worker ${pid} outlived the master`);
    // Stopped accepting: nginx now has nothing behind it.
    assert.equal((await httpCall(nginx.ports.app!, { path: '/hello' })).status, 502);
    assert.deepEqual(
      master.lines.filter((l) => CRASH_PATTERN.test(l)),
      [],
    );
  });
});
