/**
 * The machine's own load around each scenario. A figure taken while something else keeps the
 * CPUs busy says little, so every row carries the 1-minute load average before and after its
 * scenario and is marked noisy when the machine was not quiet. Pure parts here (no I/O) for the
 * harness test; run.ts reads os.loadavg() and waits.
 */
import type { BenchRow } from './types.js';

/** A 1-minute load average above this when a scenario starts makes its rows noisy. */
export const NOISY_LOAD = 1.5;

export interface ScenarioLoad {
  scenario: string;
  /** 1-minute load average when the scenario started (after waiting for it to settle). */
  before: number;
  /** 1-minute load average when it ended: includes the bench's own load generator and servers. */
  after: number;
  noisy: boolean;
}

/**
 * Whether a scenario ran on a busy machine. Only the load at its start counts: by its end the
 * 1-minute average holds the bench's own load (load generator, nginx and servers run flat out on
 * every core), which would mark every row on a small machine; a busy neighbour shows up in the
 * start figure of the next scenario, and the `after` figure is kept in the JSON for the reader.
 */
export function isNoisy(before: number): boolean {
  return before > NOISY_LOAD;
}

export function scenarioLoad(scenario: string, before: number, after: number): ScenarioLoad {
  return { scenario, before, after, noisy: isNoisy(before) };
}

/** Copies a scenario's load figures onto its rows. */
export function withLoad(rows: readonly BenchRow[], load: ScenarioLoad): BenchRow[] {
  return rows.map((r) => ({
    ...r,
    load1m: { before: load.before, after: load.after },
    noisy: load.noisy,
  }));
}

/** How the table shows a row's load: `0.42→2.10`, with ` noisy` when it is. */
export function loadCell(row: BenchRow): string {
  if (!row.load1m) return '–';
  const text = `${row.load1m.before.toFixed(2)}→${row.load1m.after.toFixed(2)}`;
  return row.noisy ? `${text} noisy` : text;
}

/**
 * Seconds to wait for the load to fall to the threshold, given the current 1-minute average:
 * it decays by e^(-t/60) when nothing runs, so from L it takes 60·ln(L/threshold) seconds.
 * Capped by `maxS` (0 = never wait).
 */
export function settleSeconds(current: number, maxS: number, threshold = NOISY_LOAD): number {
  if (maxS <= 0 || current <= threshold) return 0;
  return Math.min(maxS, Math.ceil(60 * Math.log(current / threshold)));
}
