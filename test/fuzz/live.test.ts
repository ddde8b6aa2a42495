// Live fuzzing (short): mutated packets over real unix and TCP sockets at the gateway CLI, single
// process and under the master with 2 workers, then normal requests between batches. The gateway
// must stay up (no worker dies or is replaced), answer every probe, end every fuzz connection
// within socket-timeout, and log nothing that looks like an uncaught exception.
// test/fuzz/live-long.ts runs the same with many more cases.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGateway } from '../helpers/gateway.js';
import { alive, startMaster } from '../helpers/master.js';
import { freePort } from '../helpers/ports.js';
import type { Target } from '../helpers/uwsgi-client.js';
import { APP, CRASH_PATTERN } from '../reliability/lib.js';
import { runLiveFuzz } from './live.js';

const CASES = Number(process.env.LIVE_FUZZ_CASES ?? 600);

interface Running {
  pid: number;
  lines: string[];
  workers: () => number[];
  stop(): Promise<unknown>;
}

for (const mode of ['single process', 'master, 2 workers'] as const) {
  describe(`fuzz: live, mutated packets at a running gateway (${mode})`, () => {
    let dir: string;
    let gateway: Running;
    let targets: Target[];
    let firstWorkers: number[];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tsgi-fuzz-live-'));
      const port = await freePort();
      const args = [
        '--socket',
        join(dir, 'fuzz.sock'),
        '--socket',
        `127.0.0.1:${port}`,
        '--socket-timeout',
        '1',
        '--limit-post',
        '100000',
        '--disable-logging',
        APP,
      ];
      if (mode === 'single process') {
        const g = await startGateway(args);
        gateway = { pid: g.pid, lines: g.lines, workers: () => [g.pid], stop: () => g.stop() };
      } else {
        const m = await startMaster(['--master', '--processes', '2', ...args], { workers: 2 });
        gateway = {
          pid: m.pid,
          lines: m.lines,
          workers: () => m.readyPids(),
          stop: () => m.stop(),
        };
      }
      firstWorkers = gateway.workers();
      targets = [{ path: join(dir, 'fuzz.sock') }, { host: '127.0.0.1', port }];
    });

    after(async () => {
      await gateway?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it(`stays up and serves normal requests through ${CASES} fuzz connections`, async () => {
      const result = await runLiveFuzz({
        targets,
        cases: CASES,
        concurrency: 80,
        seed: Number(process.env.FUZZ_SEED ?? 4242),
        socketTimeout: 1,
        checkAlive: () => {
          assert.ok(alive(gateway.pid), 'the gateway died');
          for (const pid of firstWorkers) assert.ok(alive(pid), `worker ${pid} died`);
        },
      });
      assert.equal(result.cases, CASES);
      assert.deepEqual(result.hangs, [], 'connections outlived socket-timeout');
      assert.deepEqual(result.probeFailures, []);
      // Both sides were exercised: requests reached the app (random paths: mostly its 404) and
      // refusals were answered with an HTTP status.
      const served = (result.tally['http 200'] ?? 0) + (result.tally['http 404'] ?? 0);
      assert.ok(served > 0, JSON.stringify(result.tally));
      assert.ok((result.tally['http 400'] ?? 0) > 0, JSON.stringify(result.tally));
      assert.deepEqual(gateway.workers(), firstWorkers, 'a worker was replaced');
      assert.deepEqual(
        gateway.lines.filter((l) => CRASH_PATTERN.test(l) || /\) died \(/.test(l)),
        [],
      );
    });
  });
}
