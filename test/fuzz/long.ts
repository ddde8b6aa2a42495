/**
 * Long fuzzing of the uwsgi codec: at least 1,000,000 cases of the properties in pipeline.ts,
 * spread over one child process per CPU (each with its own seed).
 *
 *   node --conditions=source --import tsx test/fuzz/long.ts [--cases N] [--seed S] [--procs P]
 *
 * Prints a tally of outcomes per source and the time taken; exits 1 with the shrunk
 * counterexample and the seed to replay it when a property fails.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { packetCaseArb } from './packets.js';
import { checkCase, outcomeClass } from './pipeline.js';

interface ChildResult {
  ok: boolean;
  runs: number;
  tally: Record<string, number>;
  report?: string;
  seed: number;
}

function runShard(cases: number, seed: number): ChildResult {
  const tally: Record<string, number> = {};
  const details = fc.check(
    fc.property(packetCaseArb, (c) => {
      const key = `${c.source} → ${outcomeClass(checkCase(c))}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }),
    { numRuns: cases, seed },
  );
  return {
    ok: !details.failed,
    runs: details.numRuns,
    tally,
    seed,
    ...(details.failed ? { report: fc.defaultReportMessage(details) } : {}),
  };
}

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    procs: { type: 'string' },
    child: { type: 'boolean', default: false },
  },
});

if (values.child) {
  const result = runShard(Number(values.cases), Number(values.seed));
  process.send?.(result, () => process.exit(0));
} else {
  const cases = Number(values.cases);
  const procs = Math.max(1, Number(values.procs ?? availableParallelism()));
  const baseSeed = Number(values.seed ?? Date.now() % 2 ** 31);
  const started = performance.now();
  console.log(`fuzz:long ${cases} cases over ${procs} processes, base seed ${baseSeed}`);
  const shards = Array.from({ length: procs }, (_, i) => {
    const share = Math.floor(cases / procs) + (i < cases % procs ? 1 : 0);
    const seed = (baseSeed + i * 7919) % 2 ** 31;
    return new Promise<ChildResult>((resolve, reject) => {
      const child = fork(
        new URL(import.meta.url).pathname,
        ['--child', '--cases', String(share), '--seed', String(seed)],
        { execArgv: process.execArgv },
      );
      let result: ChildResult | undefined;
      child.on('message', (m) => {
        result = m as ChildResult;
      });
      child.on('exit', (code) =>
        result ? resolve(result) : reject(new Error(`shard ${i} (seed ${seed}) exited ${code}`)),
      );
    });
  });
  const results = await Promise.all(shards);
  const seconds = (performance.now() - started) / 1000;
  const tally: Record<string, number> = {};
  let runs = 0;
  for (const r of results) {
    runs += r.runs;
    for (const [k, n] of Object.entries(r.tally)) tally[k] = (tally[k] ?? 0) + n;
  }
  for (const [k, n] of Object.entries(tally).sort())
    console.log(`  ${String(n).padStart(8)}  ${k}`);
  const failed = results.filter((r) => !r.ok);
  console.log(
    `fuzz:long ${runs} cases in ${seconds.toFixed(1)} s (${Math.round(runs / seconds)}/s), ` +
      `${failed.length === 0 ? 'every property held' : `${failed.length} shard(s) FAILED`}`,
  );
  for (const r of failed) console.log(`--- seed ${r.seed}\n${r.report}`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}
