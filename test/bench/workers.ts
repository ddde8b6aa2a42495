/**
 * Cloudflare Workers adapter cost.
 * 1. In-process (Node): `toWorker(app).fetch(request, env, ctx)` against a raw module-Worker fetch
 *    handler returning the same bytes, measured as test/bench/fetch.ts measures toFetch (the same
 *    Requests with a CDN edge's headers, whole body read on every side, alternating order, medians
 *    over rounds, wall and CPU time: lib/in-process.ts). Goal: ≤ 1.1×.
 *    A third task, `toFetch(app)`, splits that cost into the core's part and the adapter's.
 * 2. In workerd (Miniflare, HTTP on loopback): the same raw worker and the example worker
 *    (examples/cloudflare-worker.ts), both bundled with esbuild, autocannon on each in turn.
 * 3. For reference: `wrangler dev` serving both, the same way; wrangler puts its own proxy in front
 *    of workerd, so these figures say more about wrangler than about the adapter.
 * `npm run bench` calls run(); `node --conditions=source --import tsx test/bench/workers.ts
 * [--smoke] [--no-wrangler]` runs it alone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toFetch } from 'tsgi';
import { toWorker, type WorkerContext } from 'tsgi/cloudflare-workers';
import {
  bundleWorker,
  ROOT,
  startWorker,
  startWranglerDev,
  tempDir,
  type WorkerRun,
  type WranglerDev,
} from '../helpers/workerd.js';
import { runAutocannon } from './lib/autocannon.js';
import {
  checkSameBytes,
  type Handler,
  inProcessScenarios,
  type Measured,
  measureRounds,
  ratioNote,
} from './lib/in-process.js';
import { median, pairedRatio } from './lib/stats.js';
import type { BenchRow, BenchRunOptions } from './lib/types.js';

/** In Node there is no ExecutionContext: a stand-in with the same two methods. */
const ctx: WorkerContext = {
  waitUntil: () => {},
  passThroughOnException: () => {},
};
const env = { GREETING: 'Hello' };

/**
 * The same scenarios, requests and measuring as test/bench/fetch.ts (lib/in-process.ts), so the
 * core-only row here and toFetch there measure one thing and should agree within noise.
 */
async function inProcess(options: BenchRunOptions): Promise<BenchRow[]> {
  const rounds = options.smoke ? 1 : (options.rounds ?? 5);
  const timeMs = options.smoke ? 50 : Math.min(options.duration ?? 1, 1) * 1000;
  const rows: BenchRow[] = [];
  for (const s of inProcessScenarios('workers')) {
    const worker = toWorker(s.app);
    const handlers: Record<string, Handler> = {
      raw: s.raw,
      tsgi: (request) => worker.fetch(request, env, ctx),
      core: toFetch(s.app),
    };
    await checkSameBytes(s, handlers);
    const m = await measureRounds(s, handlers, rounds, timeMs);
    const base = 'raw Worker fetch';
    const row = (
      name: string,
      x: Measured,
      baseline: Measured | null,
      note?: string,
    ): BenchRow => ({
      scenario: s.name,
      name,
      tool: 'tinybench',
      rps: median(x.hz),
      p50Ms: median(x.p50),
      p99Ms: null,
      errors: 0,
      baseline: baseline ? base : null,
      ratio: baseline ? pairedRatio(x.hz, baseline.hz) : null,
      rounds: x.hz,
      ...(note ? { note } : {}),
    });
    rows.push(
      row(base, m.raw!, null),
      row('toWorker(app).fetch', m.tsgi!, m.raw!, ratioNote(m.tsgi!, m.raw!)),
      row('toFetch(app) (core only)', m.core!, m.raw!, ratioNote(m.core!, m.raw!)),
    );
  }
  return rows;
}

const RAW_WORKER = `export default {
  fetch() {
    return new Response('Hello, World!', { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  },
};
`;

interface Target {
  name: string;
  url: string;
}

/** autocannon on each target in turn (order alternating per round), after a checked request. */
async function loadTargets(
  scenario: string,
  targets: Target[],
  options: BenchRunOptions,
  note: string,
): Promise<BenchRow[]> {
  const durationS = options.smoke ? 1 : Math.min(options.duration ?? 5, 5);
  const rounds = options.smoke ? 1 : Math.min(options.rounds ?? 3, 3);
  for (const t of targets) {
    const res = await fetch(`${t.url}/`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (res.status !== 200 || text !== 'Hello, World!') {
      throw new Error(`${t.name} answered ${res.status} ${JSON.stringify(text.slice(0, 80))}`);
    }
  }
  const results = targets.map(() => [] as Awaited<ReturnType<typeof runAutocannon>>[]);
  for (let round = 0; round < rounds; round++) {
    const order = targets.map((_, i) => i);
    if (round % 2) order.reverse();
    for (const i of order) {
      const t = targets[i]!;
      results[i]!.push(
        await runAutocannon({
          url: `${t.url}/`,
          request: { method: 'GET', path: '/', bodyBytes: 0, connections: 50 },
          durationS,
          label: t.name,
        }),
      );
    }
  }
  const rps = results.map((r) => r.map((x) => x.rps));
  return targets.map((t, i) => ({
    scenario,
    name: t.name,
    tool: 'autocannon' as const,
    rps: median(rps[i]!),
    p50Ms: median(results[i]!.map((x) => x.p50Ms ?? Number.NaN)),
    p99Ms: median(results[i]!.map((x) => x.p99Ms ?? Number.NaN)),
    errors: results[i]!.reduce((n, x) => n + x.errors, 0),
    baseline: i === 0 ? null : targets[0]!.name,
    ratio: i === 0 ? null : median(rps[i]!.map((v, k) => v / rps[0]![k]!)),
    rounds: rps[i]!,
    note: i === 0 ? note : `${durationS} s × ${rounds} round(s) per target, alternating`,
  }));
}

/** Miniflare's own HTTP listener in front of workerd: raw worker vs the example worker. */
async function inWorkerd(options: BenchRunOptions): Promise<BenchRow[]> {
  const dir = tempDir('tsgi-bench-workerd-');
  const runs: WorkerRun[] = [];
  try {
    const rawPath = join(dir.dir, 'raw.mjs');
    writeFileSync(rawPath, RAW_WORKER);
    const ours = await bundleWorker(join(ROOT, 'examples/cloudflare-worker.ts'), dir.dir);
    for (const script of [rawPath, ours]) runs.push(await startWorker(script));
    const urls = await Promise.all(runs.map((r) => r.mf.ready));
    return await loadTargets(
      'workers: workerd via Miniflare HTTP, GET / hello, c=50',
      [
        { name: 'workerd: raw worker', url: urls[0]!.origin },
        { name: 'workerd: toWorker(examples/hello)', url: urls[1]!.origin },
      ],
      options,
      'Miniflare 4.20260426.0, no wrangler proxy',
    );
  } finally {
    for (const r of runs) await r.dispose();
    dir.remove();
  }
}

/** wrangler dev with a raw worker and with the repo's wrangler.toml. */
async function underWranglerDev(options: BenchRunOptions): Promise<BenchRow[]> {
  const dir = tempDir('tsgi-bench-wrangler-');
  writeFileSync(join(dir.dir, 'raw.mjs'), RAW_WORKER);
  writeFileSync(
    join(dir.dir, 'wrangler.toml'),
    'name = "raw-bench"\nmain = "raw.mjs"\ncompatibility_date = "2026-04-01"\n',
  );
  const devs: WranglerDev[] = [];
  try {
    devs.push(await startWranglerDev(['--config', join(dir.dir, 'wrangler.toml')]));
    devs.push(await startWranglerDev());
    return await loadTargets(
      'workers: wrangler dev (reference), GET / hello, c=50',
      [
        { name: 'wrangler dev: raw worker', url: devs[0]!.url },
        { name: 'wrangler dev: toWorker(examples/hello)', url: devs[1]!.url },
      ],
      { ...options, rounds: 1 },
      'reference only: wrangler dev puts its own proxy worker in front of workerd',
    );
  } finally {
    for (const d of devs) await d.stop();
    dir.remove();
  }
}

export async function run(
  options: BenchRunOptions & { wrangler?: boolean } = {},
): Promise<BenchRow[]> {
  const rows = await inProcess(options);
  rows.push(...(await inWorkerd(options)));
  if (options.wrangler !== false) rows.push(...(await underWranglerDev(options)));
  return rows;
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const rows = await run({
    smoke: process.argv.includes('--smoke'),
    wrangler: !process.argv.includes('--no-wrangler'),
  });
  for (const row of rows) {
    const us = ((row.p50Ms ?? 0) * 1000).toFixed(2);
    console.log(
      `${row.scenario.padEnd(40)} ${row.name.padEnd(38)} ${row.rps.toFixed(0).padStart(8)} ops/s  p50 ${us} µs  ${row.ratio === null ? '' : `ratio ${row.ratio.toFixed(3)}`}  ${row.note ?? ''}`,
    );
  }
}
