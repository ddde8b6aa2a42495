/**
 * The other bench files (test/bench/fetch.ts, workers.ts, lambda.ts, gateway.ts,
 * workers-scaling.ts) each export `run(options?)`. Their rows are normalised here so one table
 * and one JSON file hold everything, whatever field names a file chose.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './backends.js';
import type { BenchRow, BenchRunOptions } from './types.js';

/** Bench files owned by other parts of the project, by name (the `--filter` key). */
export const EXTERNAL_BENCHES = [
  'fetch',
  'workers',
  'lambda',
  'gateway',
  'workers-scaling',
  'cold-start',
];

const TOOLS = new Set(['wrk', 'autocannon', 'tinybench', 'other']);

function pickNumber(o: Record<string, unknown>, keys: string[]): number | null {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

/** Accepts BenchRow-like objects; tinybench-style `hz`/`opsPerSec` count as rate. */
export function normalizeRows(value: unknown, source: string): BenchRow[] {
  const list = Array.isArray(value)
    ? value
    : value && typeof value === 'object' && Array.isArray((value as { rows?: unknown }).rows)
      ? (value as { rows: unknown[] }).rows
      : [];
  return list
    .filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null)
    .map((o, i) => {
      const rate = pickNumber(o, ['rps', 'hz', 'opsPerSec', 'ops', 'throughput', 'reqPerSec']);
      const tool = TOOLS.has(o.tool as string)
        ? (o.tool as BenchRow['tool'])
        : 'hz' in o || 'opsPerSec' in o
          ? 'tinybench'
          : 'other';
      const rounds = Array.isArray(o.rounds)
        ? o.rounds.map((x) => (typeof x === 'number' ? x : Number.NaN))
        : rate === null
          ? []
          : [rate];
      const extra = typeof o.ms === 'number' ? `${Math.round(o.ms)} ms` : undefined;
      const note = [typeof o.note === 'string' ? o.note : undefined, extra]
        .filter(Boolean)
        .join('; ');
      const scenario = typeof o.scenario === 'string' ? o.scenario : source;
      const server =
        typeof o.server === 'string'
          ? `${o.server}${typeof o.workers === 'number' ? `, ${o.workers} worker${o.workers === 1 ? '' : 's'}` : ''}`
          : undefined;
      return {
        scenario: scenario.includes(source) ? scenario : `${source}: ${scenario}`,
        name: String(o.name ?? o.task ?? o.target ?? server ?? `${source} #${i + 1}`),
        tool,
        rps: rate ?? Number.NaN,
        p50Ms: pickNumber(o, ['p50Ms', 'p50', 'latencyP50Ms', 'medianMs']),
        p99Ms: pickNumber(o, ['p99Ms', 'p99', 'latencyP99Ms']),
        errors: pickNumber(o, ['errors', 'failed']) ?? 0,
        baseline: typeof o.baseline === 'string' ? o.baseline : null,
        ratio: pickNumber(o, ['ratio']),
        rounds,
        ...(note ? { note } : {}),
      };
    });
}

export function externalPath(name: string): string {
  return join(ROOT, 'test/bench', `${name}.ts`);
}

/** Imports test/bench/NAME.ts and runs it; null when the file does not exist (yet). */
export async function runExternal(
  name: string,
  options: BenchRunOptions,
): Promise<BenchRow[] | null> {
  const file = externalPath(name);
  if (!existsSync(file)) return null;
  const mod = (await import(pathToFileURL(file).href)) as { run?: (o: BenchRunOptions) => unknown };
  if (typeof mod.run !== 'function') throw new Error(`${file} does not export run()`);
  return normalizeRows(await mod.run(options), name);
}
