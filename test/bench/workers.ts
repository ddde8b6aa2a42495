/**
 * Cloudflare Workers adapter cost.
 * 1. In-process (Node): `toWorker(app).fetch(request, env, ctx)` against a raw module-Worker fetch
 *    handler returning the same bytes. Each op builds a Worker-like Request, calls the handler and
 *    reads the whole body. Rounds alternate which side runs first; the figure is the median over
 *    rounds of (TSGI time / raw time). Goal: ≤ 1.1×.
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
import { Bench } from 'tinybench';
import { type App, toFetch } from 'tsgi';
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
import type { BenchRow, BenchRunOptions } from './lib/types.js';

type Handler = (request: Request, env: unknown, ctx: WorkerContext) => Promise<Response>;

interface Scenario {
  name: string;
  request: () => Request;
  raw: Handler;
  app: App;
}

const HELLO = new TextEncoder().encode('Hello, World!');
const KB16 = new Uint8Array(16 * 1024).fill(120);
const textHeaders = { 'content-type': 'text/plain' };

/** The headers a request through Cloudflare's edge typically carries. */
const EDGE_HEADERS: [string, string][] = [
  ['accept', '*/*'],
  ['accept-encoding', 'gzip, br'],
  ['cf-connecting-ip', '203.0.113.7'],
  ['cf-ipcountry', 'NL'],
  ['cf-ray', '8f1e2d3c4b5a6978-AMS'],
  ['cf-visitor', '{"scheme":"https"}'],
  ['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) bench'],
  ['x-forwarded-proto', 'https'],
  ['x-real-ip', '203.0.113.7'],
];

const SCENARIOS: Scenario[] = [
  {
    name: 'workers: hello (13 B)',
    request: () => new Request('https://example.com/', { headers: EDGE_HEADERS }),
    raw: async () => new Response(HELLO, { headers: textHeaders }),
    app: (_environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [HELLO];
    },
  },
  {
    name: 'workers: 16 KiB in 4 streamed chunks',
    request: () => new Request('https://example.com/big', { headers: EDGE_HEADERS }),
    raw: async () => {
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (i++ < 4) controller.enqueue(KB16.subarray(0, 4096));
          else controller.close();
        },
      });
      return new Response(body, { headers: textHeaders });
    },
    app: (_environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return (function* () {
        for (let i = 0; i < 4; i++) yield KB16.subarray(0, 4096);
      })();
    },
  },
  {
    name: 'workers: POST 1 KiB echo',
    request: () =>
      new Request('https://example.com/echo', {
        method: 'POST',
        headers: EDGE_HEADERS,
        body: KB16.subarray(0, 1024),
      }),
    raw: async (request) => new Response(await request.arrayBuffer(), { headers: textHeaders }),
    app: async (environ, startResponse) => {
      const body = await environ['wsgi.input'].read();
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [body];
    },
  },
];

/** In Node there is no ExecutionContext: a stand-in with the same two methods. */
const ctx: WorkerContext = {
  waitUntil: () => {},
  passThroughOnException: () => {},
};
const env = { GREETING: 'Hello' };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function once(handler: Handler, request: () => Request): Promise<void> {
  const res = await handler(request(), env, ctx);
  await res.arrayBuffer();
}

async function sameBytes(s: Scenario, tsgi: Handler): Promise<void> {
  const a = new Uint8Array(await (await s.raw(s.request(), env, ctx)).arrayBuffer());
  const b = new Uint8Array(await (await tsgi(s.request(), env, ctx)).arrayBuffer());
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
    throw new Error(`${s.name}: the raw handler and toWorker answer different bytes`);
  }
}

type Stats = { p50: number[]; hz: number[] };

async function inProcess(options: BenchRunOptions): Promise<BenchRow[]> {
  const rounds = options.smoke ? 1 : (options.rounds ?? 5);
  const timeMs = options.smoke ? 50 : Math.min(options.duration ?? 1, 1) * 1000;
  const rows: BenchRow[] = [];
  for (const s of SCENARIOS) {
    const worker = toWorker(s.app);
    const core = toFetch(s.app);
    const handlers: Record<string, Handler> = {
      raw: s.raw,
      tsgi: (request, e, c) => worker.fetch(request, e, c),
      core: (request) => core(request),
    };
    await sameBytes(s, handlers.tsgi!);
    const stats: Record<string, Stats> = {};
    for (const name of Object.keys(handlers)) stats[name] = { p50: [], hz: [] };
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
      const names = Object.keys(handlers);
      if (round % 2) names.reverse();
      for (const name of names) bench.add(name, () => once(handlers[name]!, s.request));
      await bench.run();
      for (const name of names) {
        const r = bench.getTask(name)?.result as
          | { latency?: { p50: number }; throughput?: { mean: number } }
          | undefined;
        if (!r?.latency || !r.throughput) throw new Error(`${s.name}: task ${name} did not run`);
        stats[name]!.p50.push(r.latency.p50);
        stats[name]!.hz.push(r.throughput.mean);
      }
      ratios.push(stats.tsgi!.p50[round]! / stats.raw!.p50[round]!);
    }
    const base = 'raw Worker fetch';
    const row = (name: string, key: string, note?: string): BenchRow => ({
      scenario: s.name,
      name,
      tool: 'tinybench',
      rps: median(stats[key]!.hz),
      p50Ms: median(stats[key]!.p50),
      p99Ms: null,
      errors: 0,
      baseline: key === 'raw' ? null : base,
      ratio: key === 'raw' ? null : median(stats[key]!.hz.map((hz, i) => hz / stats.raw!.hz[i]!)),
      rounds: stats[key]!.hz,
      ...(note ? { note } : {}),
    });
    rows.push(row(base, 'raw'));
    rows.push(
      row(
        'toWorker(app).fetch',
        'tsgi',
        `median time ratio ${median(ratios).toFixed(3)}× the raw handler (goal ≤ 1.1×)`,
      ),
    );
    rows.push(row('toFetch(app) (core only)', 'core', 'the core alone, for the split'));
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
