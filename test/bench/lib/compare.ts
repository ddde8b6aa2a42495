/** Compares a run with an earlier result file, row by row (same scenario and target name). */
import type { BenchRow } from './types.js';

export interface Change {
  scenario: string;
  name: string;
  before: number;
  after: number;
  /** after / before. */
  change: number;
}

export function compareRows(after: readonly BenchRow[], before: readonly BenchRow[]): Change[] {
  const old = new Map(before.map((r) => [`${r.scenario}\u0000${r.name}`, r]));
  const out: Change[] = [];
  for (const r of after) {
    const prev = old.get(`${r.scenario}\u0000${r.name}`);
    if (!prev || !(prev.rps > 0) || !Number.isFinite(r.rps)) continue;
    out.push({
      scenario: r.scenario,
      name: r.name,
      before: prev.rps,
      after: r.rps,
      change: r.rps / prev.rps,
    });
  }
  return out;
}

export function formatChanges(changes: readonly Change[]): string {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  return changes
    .map(
      (c) =>
        `${c.scenario.padEnd(14)} ${c.name.padEnd(44)} ${fmt(c.before).padStart(9)} → ${fmt(c.after).padStart(9)}  ${c.change.toFixed(2)}×`,
    )
    .join('\n');
}
