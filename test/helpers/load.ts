/** autocannon as a library, typed (the package ships no types), for the master/worker tests and bench. */
import { createRequire } from 'node:module';

export interface LoadResult {
  total: number;
  rps: number;
  p99Ms: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** errors + timeouts + non-2xx */
  failed: number;
}

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** A bounded load: `connections` clients for `durationS` seconds (`timeoutS` per request, default 10). */
export async function load(
  url: string,
  connections: number,
  durationS: number,
  options: { timeoutS?: number } = {},
): Promise<LoadResult> {
  const r = await autocannon({
    url,
    connections,
    duration: durationS,
    ...(options.timeoutS ? { timeout: options.timeoutS } : {}),
  });
  const seconds = r.duration > 0 ? r.duration : durationS;
  return {
    total: r.requests.total,
    rps: Math.round(r.requests.total / seconds),
    p99Ms: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    failed: r.errors + r.timeouts + r.non2xx,
  };
}
