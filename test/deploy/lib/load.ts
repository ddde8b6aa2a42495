/** A bounded autocannon load (library use; the package ships no types). */
import { createRequire } from 'node:module';

export interface LoadSummary {
  total: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Responses per X-Tsgi-Instance value. */
  byInstance: Record<string, number>;
}

interface AutocannonResult {
  requests: { total: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonInstance {
  on(
    event: 'response',
    l: (client: unknown, status: number, size: number, rt: number) => void,
  ): void;
  stop(): void;
}
type Autocannon = (
  opts: Record<string, unknown>,
  cb: (err: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/**
 * `connections` clients for `durationS` seconds (at most 15) against `url`, cycling through
 * `paths`. Every request counts: a 5xx, a socket error or a timeout is a failure.
 */
export function runLoad(
  url: string,
  options: { durationS: number; connections: number; paths: string[]; method?: 'GET' | 'POST' },
): Promise<LoadSummary> {
  if (options.durationS > 15) throw new Error('keep loads short');
  const byInstance: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        duration: options.durationS,
        timeout: 10,
        requests: options.paths.map((path) =>
          options.method === 'POST'
            ? {
                method: 'POST',
                path,
                body: 'field=value&other=1',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
              }
            : { method: 'GET', path },
        ),
        setupClient: (client: {
          on(e: 'headers', l: (h: { headers: string[] }) => void): void;
        }) => {
          client.on('headers', ({ headers }) => {
            for (let i = 0; i < headers.length; i += 2) {
              if (headers[i]?.toLowerCase() === 'x-tsgi-instance') {
                const v = headers[i + 1] ?? '?';
                byInstance[v] = (byInstance[v] ?? 0) + 1;
              }
            }
          });
        },
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          total: r.requests.total,
          ok2xx: r['2xx'],
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          byInstance,
        });
      },
    );
    void instance;
  });
}
