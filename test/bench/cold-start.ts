/**
 * Cold start on Lambda and Workers, tsgi against the same hello world written for Hono: each app
 * bundled as its users would (esbuild for Lambda, `wrangler deploy --dry-run` for Workers), the
 * bundle's size raw and gzipped, and the time from process start to the first response —
 * Lambda: aws-lambda-ric started on the bundle with an invocation already waiting at the local
 * Runtime API; Workers: workerd (through Miniflare) started on the bundle, then one request.
 * Each start is a fresh process; the apps take turns, so each pair of starts is close in time.
 * `npm run bench -- --filter cold-start` runs it; `--smoke` starts each app once.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildExampleInto, startRic } from '../adapters/aws-lambda/ric-process.js';
import { startRuntimeApi } from '../helpers/lambda-runtime-api.js';
import { ROOT, startWorker, wranglerBundle } from '../helpers/workerd.js';
import type { BenchRow, BenchRunOptions } from './lib/types.js';

const EVENT = join(
  ROOT,
  'test/adapters/aws-lambda/fixtures/events/function-url-captured-get-trailing-slash.json',
);

interface Subject {
  name: string;
  /** Entry file, relative to the repository. */
  entry: string;
}

const LAMBDA: Subject[] = [
  { name: 'Hono hello (hono/aws-lambda)', entry: 'test/bench/cold-start/hono-lambda.ts' },
  { name: 'tsgi hello (tsgi/aws-lambda)', entry: 'test/bench/cold-start/tsgi-lambda.ts' },
  { name: 'tsgi example (examples/aws-lambda.ts)', entry: 'examples/aws-lambda.ts' },
];
const WORKERS: Subject[] = [
  { name: 'Hono hello (export default app)', entry: 'test/bench/cold-start/hono-worker.ts' },
  { name: 'tsgi hello (toWorker)', entry: 'test/bench/cold-start/tsgi-worker.ts' },
  { name: 'tsgi example (wrangler.toml)', entry: 'examples/cloudflare-worker.ts' },
];
const BASELINE = 0;

interface Bundle {
  file: string;
  raw: number;
  gzip: number;
  /** Workers: the gzip size of the same bundle built with `--minify` (the size users compare). */
  minGzip?: number;
}

function sizes(file: string): Bundle {
  const bytes = readFileSync(file);
  return { file, raw: bytes.length, gzip: gzipSync(bytes).length };
}

/** esbuild as a Lambda deploy bundles a Node handler: one ESM file, minified, for node20. */
async function bundleLambda(subject: Subject, dir: string): Promise<Bundle> {
  const taskRoot = join(dir, 'lambda', String(LAMBDA.indexOf(subject)));
  mkdirSync(taskRoot, { recursive: true });
  await buildExampleInto(join(ROOT, subject.entry), taskRoot, { minify: true });
  return sizes(join(taskRoot, 'index.mjs'));
}

/**
 * `wrangler deploy --dry-run --outdir`: what `wrangler deploy` would upload, with its defaults;
 * then the same with `--minify`, for its gzip size only.
 */
async function bundleWorker(subject: Subject, dir: string): Promise<Bundle> {
  const bundle = await wranglerBundleOf(subject, dir, []);
  const minified = await wranglerBundleOf(subject, join(dir, 'minified'), ['--minify']);
  return { ...bundle, minGzip: minified.gzip };
}

async function wranglerBundleOf(subject: Subject, dir: string, flags: string[]): Promise<Bundle> {
  return sizes(
    await wranglerBundle(
      subject.entry,
      join(dir, 'workers', String(WORKERS.indexOf(subject))),
      flags,
    ),
  );
}

/** Milliseconds from spawning aws-lambda-ric to the Runtime API receiving the first result. */
async function lambdaStart(bundle: Bundle, event: unknown): Promise<number> {
  const api = await startRuntimeApi();
  const taskRoot = join(bundle.file, '..');
  try {
    const t0 = performance.now();
    const answer = api.invoke(event, { timeoutMs: 60_000 });
    const ric = startRic(taskRoot, 'handler', api.address);
    try {
      const outcome = await answer;
      const ms = performance.now() - t0;
      const body = outcome.body.toString();
      if (outcome.kind !== 'response' || !body.includes('Hello')) {
        throw new Error(`unexpected first answer: ${body}\n${ric.output()}`);
      }
      return ms;
    } finally {
      await ric.stop();
    }
  } finally {
    await api.close();
  }
}

/** Milliseconds from starting workerd on the bundle to the first response's body. */
async function workerStart(bundle: Bundle): Promise<number> {
  const t0 = performance.now();
  const worker = await startWorker(bundle.file);
  try {
    const res = await worker.mf.dispatchFetch(`${worker.url}/`);
    const text = await res.text();
    const ms = performance.now() - t0;
    if (!text.includes('Hello'))
      throw new Error(`unexpected first response: ${res.status} ${text}`);
    return ms;
  } finally {
    await worker.dispose();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function rowsOf(
  scenario: string,
  subjects: Subject[],
  bundles: Bundle[],
  times: number[][],
  how: string,
): BenchRow[] {
  const base = median(times[BASELINE]!);
  return subjects.map((s, i) => {
    const b = bundles[i]!;
    const ms = median(times[i]!);
    const baseBundle = bundles[BASELINE]!;
    return {
      scenario,
      name: s.name,
      tool: 'other' as const,
      rps: Number.NaN,
      p50Ms: Math.round(ms),
      p99Ms: Math.round(Math.max(...times[i]!)),
      errors: 0,
      baseline: i === BASELINE ? null : subjects[BASELINE]!.name,
      // Above 1: starts faster than the Hono hello world.
      ratio: i === BASELINE ? null : Math.round((base / ms) * 100) / 100,
      rounds: times[i]!.map((t) => Math.round(t)),
      note:
        `bundle ${kb(b.raw)} raw, ${kb(b.gzip)} gzip` +
        (b.minGzip === undefined ? '' : `, ${kb(b.minGzip)} minified+gzip`) +
        (i === BASELINE
          ? ''
          : ` (Hono: ${kb(baseBundle.raw)}, ${kb(baseBundle.gzip)}` +
            (baseBundle.minGzip === undefined ? '' : `, ${kb(baseBundle.minGzip)}`) +
            ')') +
        `; first response median ${Math.round(ms)} ms over ${times[i]!.length} ${how}; p50/p99 columns = median/max ms`,
    };
  });
}

export async function run(options: BenchRunOptions = {}): Promise<BenchRow[]> {
  const starts = options.smoke ? 1 : Math.max(5, options.rounds ?? 5);
  // Inside the repository (.tmp/ is ignored) so the bundlers resolve tsgi and hono.
  const dir = join(ROOT, '.tmp', `cold-start-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const event = JSON.parse(readFileSync(EVENT, 'utf8')) as unknown;
    const lambdaBundles: Bundle[] = [];
    for (const s of LAMBDA) lambdaBundles.push(await bundleLambda(s, dir));
    const workerBundles: Bundle[] = [];
    for (const s of WORKERS) workerBundles.push(await bundleWorker(s, dir));
    const lambdaTimes: number[][] = LAMBDA.map(() => []);
    const workerTimes: number[][] = WORKERS.map(() => []);
    // One start of each kind first, not counted: the first workerd and Node starts of a run pay
    // for loading their binaries and Miniflare's set-up from a cold disk cache.
    await lambdaStart(lambdaBundles[BASELINE]!, event);
    await workerStart(workerBundles[BASELINE]!);
    for (let round = 0; round < starts; round++) {
      // Alternate the order so no app always goes first on a warming machine.
      const order = LAMBDA.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) lambdaTimes[i]!.push(await lambdaStart(lambdaBundles[i]!, event));
      for (const i of order) workerTimes[i]!.push(await workerStart(workerBundles[i]!));
    }
    return [
      ...rowsOf(
        'cold-start: Lambda (aws-lambda-ric)',
        LAMBDA,
        lambdaBundles,
        lambdaTimes,
        'runtime starts',
      ),
      ...rowsOf(
        'cold-start: Workers (workerd)',
        WORKERS,
        workerBundles,
        workerTimes,
        'workerd starts',
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run({ smoke: process.argv.includes('--smoke') });
  for (const r of rows) console.log(`${r.scenario} | ${r.name} | ${r.p50Ms} ms | ${r.note}`);
}
