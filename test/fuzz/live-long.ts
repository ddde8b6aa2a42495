/**
 * Long live fuzzing: many fuzz connections at a gateway started here (the CLI), then a report.
 *
 *   node --conditions=source --import tsx test/fuzz/live-long.ts [--cases N] [--seed S]
 *        [--concurrency C] [-- extra gateway args, e.g. --master --processes 2]
 *
 * Exits 1 if the gateway died, a probe failed, a connection hung, or a crash-like line was logged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startGateway } from '../helpers/gateway.js';
import { startMaster } from '../helpers/master.js';
import { freePort } from '../helpers/ports.js';
import { runLiveFuzz } from './live.js';

const CRASH_PATTERN =
  /uncaught|unhandled|TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack|out of memory/i;

const { values, positionals } = parseArgs({
  options: {
    cases: { type: 'string', default: '20000' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '100' },
  },
  allowPositionals: true,
});

const dir = mkdtempSync(join(tmpdir(), 'tsgi-fuzz-live-long-'));
const port = await freePort();
const seed = Number(values.seed ?? Date.now() % 2 ** 31);
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
  ...positionals,
  'test/reliability/fixtures/app.ts',
];
const processes = Number(positionals[positionals.indexOf('--processes') + 1] ?? 1);
const gateway = positionals.includes('--master')
  ? await startMaster(args, { workers: processes })
  : await startGateway(args);
const workersAtStart = 'readyPids' in gateway ? gateway.readyPids() : [];
console.log(
  `fuzz:live ${values.cases} cases, seed ${seed}, gateway pid ${gateway.pid} ${positionals.join(' ')}`,
);
let exitCode = 0;
try {
  const result = await runLiveFuzz({
    targets: [{ path: join(dir, 'fuzz.sock') }, { host: '127.0.0.1', port }],
    cases: Number(values.cases),
    concurrency: Number(values.concurrency),
    seed,
    socketTimeout: 1,
    checkAlive: () => {
      process.kill(gateway.pid, 0);
    },
    onProgress: (done) => {
      if (done % 2000 < Number(values.concurrency) * 4) console.log(`  ${done} cases`);
    },
  });
  for (const [k, n] of Object.entries(result.tally).sort())
    console.log(`  ${String(n).padStart(7)}  ${k}`);
  // Under the master, a worker that died (and was respawned) counts as a crash too.
  const crashes = gateway.lines.filter((l) => CRASH_PATTERN.test(l) || /\) died \(/.test(l));
  if ('readyPids' in gateway) {
    const replaced = gateway.readyPids().filter((p) => !workersAtStart.includes(p));
    if (replaced.length) crashes.push(`workers replaced during the run: ${replaced.join(', ')}`);
  }
  console.log(
    `fuzz:live ${result.cases} cases in ${result.seconds.toFixed(1)} s; ${result.probes} probes, ` +
      `${result.probeFailures.length} failed; ${result.hangs.length} hangs; ` +
      `${crashes.length} crash-like log lines`,
  );
  for (const line of [...result.probeFailures, ...result.hangs, ...crashes].slice(0, 20))
    console.log(`  ! ${line}`);
  if (result.probeFailures.length || result.hangs.length || crashes.length) exitCode = 1;
} catch (error) {
  console.log(`fuzz:live FAILED: ${(error as Error).stack}`);
  exitCode = 1;
} finally {
  await gateway.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
