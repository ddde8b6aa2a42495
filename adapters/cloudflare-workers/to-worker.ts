/**
 * toWorker(app): a TSGI app as a Cloudflare module Worker `{ fetch(request, env, ctx) }`.
 * Request and response bodies stream through ReadableStreams (toFetch does the streaming); this
 * file only adds the Workers facts to the environ.
 */
import type { ExecutionContext, IncomingRequestCfProperties } from '@cloudflare/workers-types';
import {
  type App,
  createErrors,
  type ErrorSink,
  type RunOptions,
  toFetch,
} from '../../src/index.js';

/** The environ keys this adapter adds (a contract: do not rename). */
export const ENV_KEY = 'cloudflare.env';
export const CTX_KEY = 'cloudflare.ctx';
export const CF_KEY = 'cloudflare.cf';

/** `cloudflare.ctx`: the Worker's ExecutionContext (waitUntil, passThroughOnException). */
export type WorkerContext = Pick<ExecutionContext, 'waitUntil' | 'passThroughOnException'>;

/** A module Worker's default export. `Request`/`Response` are the runtime's Fetch classes. */
export interface WorkerHandler<Env = unknown> {
  fetch(request: Request, env: Env, ctx: WorkerContext): Promise<Response>;
}

export interface WorkerOptions<Env = unknown> extends RunOptions {
  /** Mount point: this URL path prefix goes to SCRIPT_NAME, the rest to PATH_INFO. */
  scriptName?: string;
  /** Where wsgi.errors lines go (default: console.error, which `wrangler tail` shows). */
  errors?: ErrorSink;
  /** More environ keys per request, computed from the Worker's arguments. */
  environ?: (request: Request, env: Env, ctx: WorkerContext) => Record<string, unknown> | undefined;
}

/** A request as workerd hands it over: `cf` is absent in some local runs (vitest-pool-workers). */
type CfRequest = Request & { cf?: IncomingRequestCfProperties };

/** The keys a Worker request adds to the environ. Exported so other Fetch hosts can mirror them. */
export function workerEnviron(
  request: Request,
  env: unknown,
  ctx: WorkerContext,
): Record<string, unknown> {
  const extra: Record<string, unknown> = {
    [ENV_KEY]: env,
    [CTX_KEY]: ctx,
    [CF_KEY]: (request as CfRequest).cf,
  };
  // Cloudflare's edge sets CF-Connecting-IP to the client address; a Worker has no socket to ask.
  const ip = request.headers.get('cf-connecting-ip');
  if (ip) extra.REMOTE_ADDR = ip;
  return extra;
}

/** Wraps a TSGI app as a module Worker: `export default toWorker(app)`. */
export function toWorker<Env = unknown>(
  app: App,
  options: WorkerOptions<Env> = {},
): WorkerHandler<Env> {
  const { scriptName, errors, environ: more, debug, onError } = options;
  const handler = toFetch(app, {
    ...(scriptName === undefined ? {} : { scriptName }),
    ...(debug === undefined ? {} : { debug }),
    ...(onError === undefined ? {} : { onError }),
    environOptions: {
      // One isolate serves many requests at once, and many isolates run the same Worker.
      multithread: false,
      multiprocess: true,
      runOnce: false,
    },
    environ: (request: Request, env: Env, ctx: WorkerContext) => {
      const extra = workerEnviron(request, env, ctx);
      if (errors) extra['wsgi.errors'] = createErrors(errors);
      if (more) Object.assign(extra, more(request, env, ctx));
      return extra;
    },
  });
  return {
    fetch(request, env, ctx) {
      return (handler as (r: Request, e: Env, c: WorkerContext) => Promise<Response>)(
        request,
        env,
        ctx,
      );
    },
  };
}
