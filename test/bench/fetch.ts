/**
 * Micro-benchmark: `toFetch(app)` against a raw fetch handler returning the same bytes, in-process.
 * Each op builds the Request, calls the handler and reads the whole body, on both sides. Rounds
 * alternate which side runs first; the figure is the median over rounds of (TSGI time / raw time),
 * in wall time (tinybench p50) and in CPU time per op (process.cpuUsage, steadier on a busy
 * machine). Goal: ≤ 1.1×. `npm run bench` calls run(); `node --conditions=source --import tsx
 * test/bench/fetch.ts [--smoke]` runs it alone.
 */
import { Bench } from 'tinybench';
import { type App, toFetch } from 'tsgi';
import type { BenchRow, BenchRunOptions } from './lib/types.js';

interface Scenario {
  name: string;
  request: () => Request;
  raw: (request: Request) => Promise<Response>;
  app: App;
}

const HELLO = new TextEncoder().encode('Hello, World!');
const KB16 = new Uint8Array(16 * 1024).fill(120);
const textHeaders = { 'content-type': 'text/plain' };

const SCENARIOS: Scenario[] = [
  {
    name: 'fetch: hello (13 B)',
    request: () => new Request('http://localhost/'),
    raw: async () => new Response(HELLO, { headers: textHeaders }),
    app: (_environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [HELLO];
    },
  },
  {
    name: 'fetch: 16 KiB in 4 streamed chunks',
    request: () => new Request('http://localhost/big'),
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
    name: 'fetch: POST 1 KiB echo',
    request: () =>
      new Request('http://localhost/echo', { method: 'POST', body: KB16.subarray(0, 1024) }),
    raw: async (request) => new Response(await request.arrayBuffer(), { headers: textHeaders }),
    app: async (environ, startResponse) => {
      const body = await environ['wsgi.input'].read();
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [body];
    },
  },
];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function once(handler: (r: Request) => Promise<Response>, request: () => Request) {
  const res = await handler(request());
  await res.arrayBuffer();
}

/**
 * CPU microseconds per op (user + system, all threads, GC included) over about `ms` of wall time.
 * Less sensitive than wall time to other processes competing for the cores.
 */
async function cpuPerOp(
  handler: (r: Request) => Promise<Response>,
  request: () => Request,
  ms: number,
): Promise<number> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  let ops = 0;
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) await once(handler, request);
    ops += 100;
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / ops;
}

export async function run(options: BenchRunOptions = {}): Promise<BenchRow[]> {
  const rounds = options.smoke ? 1 : (options.rounds ?? 5);
  const timeMs = options.smoke ? 50 : (options.duration ?? 1) * 1000;
  const rows: BenchRow[] = [];
  for (const s of SCENARIOS) {
    const tsgi = toFetch(s.app);
    // Both must answer the same bytes, or the comparison means nothing.
    const a = new Uint8Array(await (await s.raw(s.request())).arrayBuffer());
    const b = new Uint8Array(await (await tsgi(s.request())).arrayBuffer());
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
      throw new Error(`${s.name}: the raw handler and toFetch answer different bytes`);
    }
    const raw = { p50: [] as number[], hz: [] as number[] };
    const ours = { p50: [] as number[], hz: [] as number[] };
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
      const tasks: Array<[string, () => Promise<void>]> = [
        ['raw', () => once(s.raw, s.request)],
        ['tsgi', () => once(tsgi, s.request)],
      ];
      if (round % 2) tasks.reverse();
      for (const [name, fn] of tasks) bench.add(name, fn);
      await bench.run();
      const stat = (name: string) => {
        const r = bench.getTask(name)?.result as
          | { latency?: { p50: number }; throughput?: { mean: number } }
          | undefined;
        if (!r?.latency || !r.throughput) throw new Error(`${s.name}: task ${name} did not run`);
        return { p50: r.latency.p50, hz: r.throughput.mean };
      };
      const r = stat('raw');
      const t = stat('tsgi');
      raw.p50.push(r.p50);
      raw.hz.push(r.hz);
      ours.p50.push(t.p50);
      ours.hz.push(t.hz);
      ratios.push(t.p50 / r.p50);
      // The same pair again, measured in CPU time, in the order of this round.
      const cpu: Record<string, number> = {};
      for (const [name] of tasks) {
        cpu[name] = await cpuPerOp(name === 'raw' ? s.raw : tsgi, s.request, timeMs);
      }
      cpuRatios.push(cpu.tsgi! / cpu.raw!);
    }
    const timeRatio = median(ratios);
    const base = 'raw fetch handler';
    rows.push({
      scenario: s.name,
      name: base,
      tool: 'tinybench',
      rps: median(raw.hz),
      p50Ms: median(raw.p50),
      p99Ms: null,
      errors: 0,
      baseline: null,
      ratio: null,
      rounds: raw.hz,
    });
    rows.push({
      scenario: s.name,
      name: 'toFetch(app)',
      tool: 'tinybench',
      rps: median(ours.hz),
      p50Ms: median(ours.p50),
      p99Ms: null,
      errors: 0,
      baseline: base,
      ratio: median(ours.hz.map((hz, i) => hz / raw.hz[i]!)),
      rounds: ours.hz,
      note: `median time ratio ${timeRatio.toFixed(3)}×, CPU-time ratio ${median(cpuRatios).toFixed(3)}× the raw handler (goal ≤ 1.1×)`,
    });
  }
  return rows;
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const rows = await run({ smoke: process.argv.includes('--smoke') });
  for (const row of rows) {
    const us = ((row.p50Ms ?? 0) * 1000).toFixed(2);
    console.log(
      `${row.scenario.padEnd(36)} ${row.name.padEnd(18)} ${row.rps.toFixed(0).padStart(8)} ops/s  p50 ${us} µs  ${row.note ?? ''}`,
    );
  }
}
