/** The environ keys a Worker request adds on top of what environFromRequest builds. */
import type { Environ } from '../../src/index.js';

/** The environ keys this adapter adds (a contract: do not rename). */
export const ENV_KEY = 'cloudflare.env';
/** The environ key `cloudflare.ctx`: the Worker's ExecutionContext. */
export const CTX_KEY = 'cloudflare.ctx';
/** The environ key `cloudflare.cf`: Cloudflare's request properties, when the request has them. */
export const CF_KEY = 'cloudflare.cf';

/**
 * `cloudflare.ctx`: the part of the Worker's ExecutionContext the adapter uses, declared here so
 * the published types need nothing beside tsgi (workers-types' ExecutionContext is assignable).
 */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

/** `cloudflare.cf`: Cloudflare's request properties (colo, country, tls…; workers-types has them all). */
export type CfProperties = Record<string, unknown>;

/**
 * The environ a Worker app sees. `Env` is the Worker's bindings, as in `new Hono<{ Bindings: Env }>()`:
 * `toWorker<Env>(app)` with `app: App<WorkerEnviron<Env>>` types `environ['cloudflare.env']`.
 */
export interface WorkerEnviron<Env = unknown> extends Environ {
  'cloudflare.env': Env;
  'cloudflare.ctx': WorkerContext;
  'cloudflare.cf'?: CfProperties;
}

/** A request as workerd hands it over: `cf` is absent in some local runs (vitest-pool-workers). */
type CfRequest = Request & { cf?: CfProperties };

/**
 * Adds `cloudflare.env`, `cloudflare.ctx`, `cloudflare.cf` (when the request has one) and
 * REMOTE_ADDR to an environ built from a Worker request.
 */
export function addWorkerKeys(
  environ: Environ,
  request: Request,
  env: unknown,
  ctx: WorkerContext,
): void {
  const e = environ as Record<string, unknown>;
  e[ENV_KEY] = env;
  e[CTX_KEY] = ctx;
  const cf = (request as CfRequest).cf;
  if (cf !== undefined) e[CF_KEY] = cf;
  // Cloudflare's edge sets CF-Connecting-IP to the client address; a Worker has no socket to ask.
  const ip = environ.HTTP_CF_CONNECTING_IP;
  if (ip) environ.REMOTE_ADDR = ip;
  // Header values workerd decoded as UTF-8 are wire bytes again already: environFromRequest
  // re-encodes them where the runtime's Headers hold text.
}
