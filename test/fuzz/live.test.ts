// Live fuzzing (short): mutated packets over real unix and TCP sockets at the gateway CLI, then
// normal requests. The gateway must stay up, answer every probe, end every fuzz connection within
// socket-timeout, and log nothing that looks like an uncaught exception. test/fuzz/live-long.ts
// runs the same with many more cases.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGateway } from '../helpers/gateway.js';
import { freePort } from '../helpers/ports.js';
import type { Target } from '../helpers/uwsgi-client.js';
import { runLiveFuzz } from './live.js';

const APP = 'test/reliability/fixtures/app.ts';
const CASES = Number(process.env.TSGI_LIVE_FUZZ_CASES ?? 600);
/** Log lines that mean something escaped the gateway's own error handling. */
export const CRASH_PATTERN =
  /uncaught|unhandled|TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack|out of memory/i;

describe('fuzz: live, mutated packets at a running gateway (single process)', () => {
  let dir: string;
  let gateway: GatewayProcess;
  let targets: Target[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-fuzz-live-'));
    const port = await freePort();
    gateway = await startGateway([
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
    ]);
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
      seed: Number(process.env.TSGI_FUZZ_SEED ?? 4242),
      socketTimeout: 1,
      checkAlive: () => {
        assert.doesNotThrow(() => process.kill(gateway.pid, 0), 'the gateway died');
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
    const crashes = gateway.lines.filter((l) => CRASH_PATTERN.test(l));
    assert.deepEqual(crashes, []);
  });
});
