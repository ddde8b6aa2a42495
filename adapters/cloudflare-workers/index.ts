/**
 * @module tsgi/cloudflare-workers
 * Runs a TSGI app as a Cloudflare module Worker. The environ gets `cloudflare.env` (bindings),
 * `cloudflare.ctx` (waitUntil, passThroughOnException) and `cloudflare.cf` (request.cf, may be
 * absent), and REMOTE_ADDR from CF-Connecting-IP.
 *
 * ```ts
 * import { toWorker } from 'tsgi/cloudflare-workers';
 * export default toWorker(app);
 * ```
 */
export type { WorkerHandler, WorkerOptions } from './to-worker.js';
export { toWorker } from './to-worker.js';
export type { CfProperties, WorkerContext, WorkerEnviron } from './worker-environ.js';
export { CF_KEY, CTX_KEY, ENV_KEY } from './worker-environ.js';
