/**
 * Shapes shared by the bench harness, its scenarios and the other bench files
 * (test/bench/*.ts export `run(options?: BenchRunOptions): Promise<BenchRow[]>`).
 */

/** One line of the printed table and of the JSON result file. */
export interface BenchRow {
  /** Group the row belongs to; ratios are taken within a scenario. */
  scenario: string;
  /** What was measured, e.g. `nginx → tsgi (unix)`. */
  name: string;
  /** Load generator or micro-benchmark library that produced the figures. */
  tool: 'wrk' | 'autocannon' | 'tinybench' | 'other';
  /** Median requests (or operations) per second over the rounds. */
  rps: number;
  /** Median over rounds of each round's latency percentiles, milliseconds. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Socket errors, timeouts and non-2xx responses, summed over rounds. */
  errors: number;
  /**
   * CPU time the server processes (not nginx, not the load generator) spent per request, in
   * microseconds, median over rounds. Steadier than req/s on a shared machine. Absent for
   * in-process rows.
   */
  serverCpuUsPerReq?: number | null;
  /** Name of the row this one is compared with (same scenario), or null for the baseline. */
  baseline: string | null;
  /** Median of the per-round ratios rps / baseline rps (rounds alternate, so pairs are close in time). */
  ratio: number | null;
  /** Requests (or ops) per second of every round, in round order. */
  rounds: number[];
  /** Free text: why a row is skipped, what a figure means. */
  note?: string;
  /** The 1-minute load average when the row's scenario started and ended (lib/load.ts). */
  load1m?: { before: number; after: number };
  /** Taken on a machine that was not quiet (load average above 1.5 at the start). */
  noisy?: boolean;
}

/** Options every bench entry point accepts. Files may ignore what does not apply to them. */
export interface BenchRunOptions {
  /** Seconds of load per round (or of sampling per task for micro-benchmarks). */
  duration?: number;
  rounds?: number;
  /** Tiny durations, one round: only proves everything still starts and answers. */
  smoke?: boolean;
}

/** What one round of load against one endpoint measured. */
export interface LoadResult {
  rps: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Socket errors + timeouts + non-2xx/3xx responses. */
  errors: number;
  requests: number;
  durationS: number;
}

/** The request a scenario sends, the same for every target in it. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  /** Request body size in bytes (filled with 'x'); 0 = none. */
  bodyBytes: number;
  /** Keep-alive client connections. */
  connections: number;
}
