/** autocannon (single-threaded Node) used as a library, with a live req/s line. */
import { createRequire } from 'node:module';
import { showProgress } from './progress.js';
import type { LoadRequest, LoadResult } from './types.js';

/** The part of autocannon's API the harness uses (the package ships no types). */
interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
interface AutocannonInstance {
  on(event: 'tick', listener: (t: { counter: number }) => void): void;
  stop(): void;
}
type Autocannon = (
  opts: Record<string, unknown>,
  cb: (err: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;

export function autocannonVersion(): string {
  return (require('autocannon/package.json') as { version: string }).version;
}

export interface AutocannonRun {
  url: string;
  request: LoadRequest;
  durationS: number;
  label: string;
}

/** Converts autocannon's result; exported for the harness test. */
export function fromAutocannon(r: AutocannonResult): LoadResult {
  const durationS = r.duration > 0 ? r.duration : 1;
  return {
    rps: r.requests.total / durationS,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    requests: r.requests.total,
    durationS,
  };
}

export function runAutocannon(run: AutocannonRun): Promise<LoadResult> {
  const { request } = run;
  let lastRate: number | undefined;
  const stop = showProgress(run.label, run.durationS, () => lastRate);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: run.url,
        method: request.method,
        connections: request.connections,
        duration: run.durationS,
        timeout: 5,
        ...(request.bodyBytes > 0
          ? {
              body: Buffer.alloc(request.bodyBytes, 'x'),
              headers: { 'content-type': 'application/octet-stream' },
            }
          : {}),
      },
      (err, result) => {
        stop();
        if (err) reject(err);
        else resolve(fromAutocannon(result));
      },
    );
    instance.on('tick', (t) => {
      lastRate = t.counter;
    });
  });
}
