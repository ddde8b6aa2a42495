/**
 * Long fuzzing of both codecs: at least 1,000,000 cases each of the uwsgi properties in
 * pipeline.ts and of the HTTP codec's differential property against llhttp
 * (test/gateway/http/differential.ts), spread over one child process per CPU (each with its own
 * seed).
 *
 *   node --conditions=source --import tsx test/fuzz/long.ts [--cases N] [--seed S] [--procs P]
 *     [--codec uwsgi|http|both]
 *
 * Prints a tally of outcomes per source and the time taken; exits 1 with the shrunk
 * counterexample and the seed to replay it when a property fails.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { checkRequest } from '../gateway/http/differential.js';
import { requestArb } from '../gateway/http/requests.js';
import { packetCaseArb } from './packets.js';
import { checkCase, outcomeClass } from './pipeline.js';

interface ChildResult {
  ok: boolean;
  runs: number;
  tally: Record<string, number>;
  report?: string;
  seed: number;
}

type Codec = 'uwsgi' | 'http';

function countIn(tally: Record<string, number>, key: string): void {
  tally[key] = (tally[key] ?? 0) + 1;
}

function summarize<T>(d: fc.RunDetails<T>): Pick<ChildResult, 'ok' | 'runs' | 'report'> {
  return {
    ok: !d.failed,
    runs: d.numRuns,
    ...(d.failed ? { report: fc.defaultReportMessage(d) } : {}),
  };
}

function runShard(codec: Codec, cases: number, seed: number): ChildResult {
  const tally: Record<string, number> = {};
  const params = { numRuns: cases, seed };
  const outcome =
    codec === 'uwsgi'
      ? summarize(
          fc.check(
            fc.property(packetCaseArb, (c) =>
              countIn(tally, `uwsgi ${c.source} → ${outcomeClass(checkCase(c))}`),
            ),
            params,
          ),
        )
      : summarize(
          fc.check(
            fc.property(requestArb, (bytes) => countIn(tally, `http → ${checkRequest(bytes)}`)),
            params,
          ),
        );
  return {
    ...outcome,
    tally,
    seed,
  };
}

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    procs: { type: 'string' },
    codec: { type: 'string', default: 'both' },
    child: { type: 'boolean', default: false },
  },
});

if (values.child) {
  const result = runShard(values.codec as Codec, Number(values.cases), Number(values.seed));
  process.send?.(result, () => process.exit(0));
} else {
  const cases = Number(values.cases);
  const procs = Math.max(1, Number(values.procs ?? availableParallelism()));
  const baseSeed = Number(values.seed ?? Date.now() % 2 ** 31);
  const codecs: Codec[] = values.codec === 'both' ? ['uwsgi', 'http'] : [values.codec as Codec];
  if (!codecs.every((c) => c === 'uwsgi' || c === 'http')) {
    console.error(`--codec must be uwsgi, http or both, not ${values.codec}`);
    process.exit(2);
  }
  const started = performance.now();
  console.log(
    `fuzz:long ${cases} cases of ${codecs.join(' and ')} over ${procs} processes, base seed ${baseSeed}`,
  );
  // Each codec's cases are spread over the processes; shards run one codec each.
  const jobs = codecs.flatMap((codec) =>
    Array.from({ length: procs }, (_, i) => ({
      codec,
      share: Math.floor(cases / procs) + (i < cases % procs ? 1 : 0),
      seed: (baseSeed + i * 7919) % 2 ** 31,
    })),
  );
  const runJob = ({ codec, share, seed }: (typeof jobs)[number]) =>
    new Promise<ChildResult>((resolve, reject) => {
      const child = fork(
        new URL(import.meta.url).pathname,
        ['--child', '--codec', codec, '--cases', String(share), '--seed', String(seed)],
        { execArgv: process.execArgv },
      );
      let result: ChildResult | undefined;
      child.on('message', (m) => {
        result = m as ChildResult;
      });
      child.on('exit', (code) =>
        result
          ? resolve(result)
          : reject(new Error(`${codec} shard (seed ${seed}) exited ${code}`)),
      );
    });
  // At most `procs` children at once: one codec after the other.
  const results: ChildResult[] = [];
  for (const codec of codecs) {
    results.push(...(await Promise.all(jobs.filter((j) => j.codec === codec).map(runJob))));
  }
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
