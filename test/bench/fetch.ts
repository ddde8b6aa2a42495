/**
 * Micro-benchmark: `toFetch(app)` against a raw fetch handler returning the same bytes, in-process.
 * The measuring is test/bench/lib/in-process.ts, shared with test/bench/workers.ts, so both
 * benches time the same operation: build the same Request (URL + a CDN edge's headers), call the
 * handler, read the whole body, on both sides; rounds alternate the order; medians over rounds,
 * in wall time (tinybench p50) and in CPU time per op. Goal: ≤ 1.1×. `npm run bench` calls run();
 * `node --conditions=source --import tsx test/bench/fetch.ts [--smoke]` runs it alone.
 */
import { toFetch } from 'tsgi';
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

export async function run(options: BenchRunOptions = {}): Promise<BenchRow[]> {
  const rounds = options.smoke ? 1 : (options.rounds ?? 5);
  const timeMs = options.smoke ? 50 : (options.duration ?? 1) * 1000;
  const rows: BenchRow[] = [];
  for (const s of inProcessScenarios('fetch')) {
    const handlers: Record<string, Handler> = { raw: s.raw, tsgi: toFetch(s.app) };
    await checkSameBytes(s, handlers);
    const m = await measureRounds(s, handlers, rounds, timeMs);
    const base = 'raw fetch handler';
    const row = (name: string, x: Measured, baseline: Measured | null): BenchRow => ({
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
      ...(baseline ? { note: ratioNote(x, baseline) } : {}),
    });
    rows.push(row(base, m.raw!, null), row('toFetch(app)', m.tsgi!, m.raw!));
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
