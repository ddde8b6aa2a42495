/**
 * Start-up and shut-down hooks: the module exports `startup` (run once per worker, isolate or
 * Lambda environment before it serves) and `shutdown` (run on the gateway's graceful stop). What
 * start-up returns reaches every request as `environ['tsgi.state']`.
 *
 *   tsgi --http :8000 examples/lifespan.ts      (the gateway finds both exports)
 *   toWorker(app, { startup })  ·  handle(app, { startup })  ·  toFetch(app, { startup })
 */
import type { App } from 'tsgi';

/** Stands in for a database pool. */
export interface Pool {
  readonly openedAt: string;
  queries: number;
  open: boolean;
}

export async function startup(): Promise<Pool> {
  // A real app connects here; a failure keeps the gateway worker from serving.
  await new Promise((resolve) => setTimeout(resolve, 10));
  return { openedAt: new Date().toISOString(), queries: 0, open: true };
}

export async function shutdown(pool: Pool): Promise<void> {
  pool.open = false;
  console.error(`pool closed after ${pool.queries} queries`);
}

const app: App = (environ, startResponse) => {
  const pool = environ['tsgi.state'] as Pool | undefined;
  if (!pool?.open) {
    startResponse('503 Service Unavailable', [['Content-Type', 'text/plain; charset=utf-8']]);
    return ['no pool: startup did not run\n'];
  }
  pool.queries++;
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  return [JSON.stringify({ openedAt: pool.openedAt, queries: pool.queries })];
};

export default app;
