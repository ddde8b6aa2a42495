/**
 * toWorker(app): a TSGI app as a Cloudflare module Worker `{ fetch(request, env, ctx) }`.
 * The same pipeline as toFetch (environFromRequest → runApp → toResponse), so request and response
 * bodies stream through ReadableStreams; this file adds the Workers facts.
 */
import {
  type App,
  createErrors,
  type ErrorSink,
  environFromRequest,
  type LifespanHooks,
  type RequestEnvironOptions,
  type RunOptions,
  Startup,
  startApp,
  toResponse,
  whenReady,
} from '../../src/index.js';
import { workerResponse } from './stream-body.js';
import { serveUpgrade } from './websocket.js';
import { addWorkerKeys, type WorkerContext, type WorkerEnviron } from './worker-environ.js';

/** A module Worker's default export. `Request`/`Response` are the runtime's Fetch classes. */
export interface WorkerHandler<Env = unknown> {
  fetch(request: Request, env: Env, ctx: WorkerContext): Promise<Response>;
}

/** Options of toWorker: mount point, errors sink, extra environ keys, start-up hook, and RunOptions. */
export interface WorkerOptions<Env = unknown> extends RunOptions, Pick<LifespanHooks, 'startup'> {
  /** Mount point: this URL path prefix goes to SCRIPT_NAME, the rest to PATH_INFO. */
  scriptName?: string;
  /** Where wsgi.errors lines go (default: console.error, which `wrangler tail` shows). */
  errors?: ErrorSink;
  /** More environ keys per request, computed from the Worker's arguments. */
  environ?: (request: Request, env: Env, ctx: WorkerContext) => Record<string, unknown> | undefined;
}

/** Wraps a TSGI app as a module Worker: `export default toWorker(app)`. */
export function toWorker<Env = unknown>(
  typedApp: App<WorkerEnviron<Env>>,
  options: WorkerOptions<Env> = {},
): WorkerHandler<Env> {
  // addWorkerKeys puts cloudflare.env/ctx/cf on every environ before the app sees it.
  const app = typedApp as App;
  const { scriptName, errors, environ: more } = options;
  // environFromRequest's defaults are the Workers facts: one isolate serves many requests at
  // once (multithread false), many isolates run the same Worker (multiprocess true).
  const environOptions: RequestEnvironOptions = scriptName === undefined ? {} : { scriptName };
  // Once per isolate, before its first request (workerd has no shut-down event to hook).
  const startup = new Startup(options);
  return {
    async fetch(request, env, ctx) {
      const environ = environFromRequest(
        request,
        errors ? { ...environOptions, errors: createErrors(errors) } : environOptions,
      );
      addWorkerKeys(environ, request, env, ctx);
      if (more) Object.assign(environ, more(request, env, ctx));
      environ['tsgi.waitUntil'] = (promise) => ctx.waitUntil(promise);
      if (startup.ready) startup.addState(environ);
      else {
        const refused = await startup.wait(environ);
        if (refused) return toResponse(refused, environ.REQUEST_METHOD === 'HEAD');
      }
      const upgraded = serveUpgrade(app, environ, options, workerResponse, ctx);
      if (upgraded) return upgraded;
      // startApp: an array body is ready at once, without a promise to wait on.
      return whenReady(startApp(app, environ, options), workerResponse, environ, ctx);
    },
  };
}
