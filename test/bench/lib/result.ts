/** The JSON result file: one per run under bench-results/ (gitignored), plus latest.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RefChange } from './baseline-ref.js';
import type { MachineInfo } from './machine.js';
import type { BenchRow } from './types.js';

export const RESULT_SCHEMA = 'tsgi-bench/1';

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  startedAt: string;
  finishedAt: string;
  /** The options the run used (duration, rounds, tool, filters…). */
  options: Record<string, unknown>;
  machine: MachineInfo;
  rows: BenchRow[];
  /** The 1-minute load average around each scenario: other work on the machine shows up here. */
  load?: { scenario: string; before: number; after: number; noisy?: boolean }[];
  /** With `--baseline-ref`: this tree's rows against the ref's twins. */
  refComparison?: RefChange[];
}

/** Returns the problems with a parsed result file; empty when it has the expected shape. */
export function checkResultShape(value: unknown): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) return ['not an object'];
  const v = value as Record<string, unknown>;
  if (v.schema !== RESULT_SCHEMA) problems.push(`schema is not ${RESULT_SCHEMA}`);
  for (const k of ['startedAt', 'finishedAt']) {
    if (typeof v[k] !== 'string' || Number.isNaN(Date.parse(v[k] as string))) {
      problems.push(`${k} is not a date`);
    }
  }
  const m = v.machine as Record<string, unknown> | undefined;
  if (typeof m !== 'object' || m === null) problems.push('machine missing');
  else {
    for (const k of ['cpuModel', 'node', 'os', 'autocannon']) {
      if (typeof m[k] !== 'string') problems.push(`machine.${k} is not a string`);
    }
    if (typeof m.cores !== 'number') problems.push('machine.cores is not a number');
    for (const k of ['nginx', 'uwsgi', 'wrk']) {
      if (m[k] !== null && typeof m[k] !== 'string')
        problems.push(`machine.${k} is not string|null`);
    }
  }
  if (!Array.isArray(v.rows)) return [...problems, 'rows is not an array'];
  v.rows.forEach((row: unknown, i: number) => {
    const r = row as Record<string, unknown>;
    const numOrNull = (k: string) => r[k] === null || typeof r[k] === 'number';
    if (typeof r.scenario !== 'string' || typeof r.name !== 'string') {
      problems.push(`rows[${i}] lacks scenario/name`);
    }
    if (!['wrk', 'autocannon', 'tinybench', 'other'].includes(r.tool as string)) {
      problems.push(`rows[${i}].tool is ${String(r.tool)}`);
    }
    for (const k of ['rps', 'p50Ms', 'p99Ms', 'ratio']) {
      if (!numOrNull(k)) problems.push(`rows[${i}].${k} is not number|null`);
    }
    if (typeof r.errors !== 'number') problems.push(`rows[${i}].errors is not a number`);
    if (!Array.isArray(r.rounds)) problems.push(`rows[${i}].rounds is not an array`);
  });
  return problems;
}

/** Writes `DIR/<startedAt>.json` and `DIR/latest.json`; returns the first path. */
export function writeResult(dir: string, result: BenchResult): string {
  mkdirSync(dir, { recursive: true });
  // JSON has no NaN: a round that did not run becomes null.
  const text = `${JSON.stringify(result, null, 2)}\n`;
  const file = join(dir, `${result.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, text);
  writeFileSync(join(dir, 'latest.json'), text);
  return file;
}
