/**
 * @module tsgi/hono
 * Hono interop, both ways:
 * - `fromHono(honoApp)`: a Hono app as a TSGI app (for the gateway, Lambda, or any TSGI server).
 * - `toHono(tsgiApp)`: a TSGI app as a Hono handler, `app.all('/legacy/*', toHono(tsgiApp))`;
 *   SCRIPT_NAME is the route's prefix (`/legacy`), PATH_INFO the rest.
 * - `mountable(tsgiApp, '/legacy')`: a fetch handler for `app.mount('/legacy', ...)` (and
 *   `mount()` from `hono/mount`), whose rewritten URL has lost the prefix: SCRIPT_NAME gets it back.
 */
import type { Context } from 'hono';
import {
  type App,
  addWaitUntil,
  type Environ,
  environFromRequest,
  type FromFetchOptions,
  fromFetch,
  PendingWork,
  type RequestEnvironOptions,
  type RunOptions,
  startApp,
  toFetch,
  toResponse,
  whenReady,
} from '../../src/index.js';

/** What fromHono needs of a Hono app: its `fetch`. */
export interface HonoFetchable {
  fetch: (request: Request, env?: never, executionCtx?: never) => Response | Promise<Response>;
}

/**
 * The arguments Hono's own adapters would pass as `(env, executionCtx)`, rebuilt from the environ:
 * Workers bindings and ctx, Lambda's `{ event, lambdaContext }`, otherwise the environ itself
 * (so `c.env.REMOTE_ADDR` works behind the gateway).
 */
export function honoArgs(environ: Environ): unknown[] {
  if ('cloudflare.env' in environ) return [environ['cloudflare.env'], environ['cloudflare.ctx']];
  if ('aws.event' in environ) {
    const event = environ['aws.event'] as { requestContext?: unknown } | undefined;
    return [
      { event, requestContext: event?.requestContext, lambdaContext: environ['aws.context'] },
    ];
  }
  return [environ];
}

/** A Hono app (anything with Hono's `fetch`) as a TSGI app. */
export function fromHono(app: HonoFetchable, options: FromFetchOptions = {}): App {
  return fromFetch((request, ...args) => app.fetch(request, ...args), {
    args: honoArgs,
    ...options,
  });
}

function isExecutionContext(ctx: unknown): boolean {
  return typeof (ctx as { waitUntil?: unknown } | null)?.waitUntil === 'function';
}

/** Environ extension keys for a request Hono hands us: Workers' env/ctx/cf when on Workers. */
function platformKeys(request: Request, env: unknown, ctx: unknown): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  if (isExecutionContext(ctx)) {
    keys['cloudflare.env'] = env;
    keys['cloudflare.ctx'] = ctx;
  }
  const cf = (request as Request & { cf?: unknown }).cf;
  if (cf !== undefined) keys['cloudflare.cf'] = cf;
  return keys;
}

/** Options of toHono: SCRIPT_NAME, environ settings, and RunOptions. */
export interface ToHonoOptions extends RunOptions {
  /** SCRIPT_NAME in URL form; default: the route's prefix before its trailing `/*`. */
  scriptName?: string;
  /** Other environ settings (errors stream, multiprocess flags). */
  environOptions?: Omit<RequestEnvironOptions, 'scriptName' | 'pathStripped' | 'extra'>;
}

/**
 * The URL-path prefix a route pattern matched: as many leading segments of the request path as
 * the pattern has before its trailing `*` (so `/:tenant/*` works as well as `/legacy/*`).
 */
export function routePrefix(routePath: string, urlPath: string): string {
  const pattern = routePath.replace(/\/?\*$/, '');
  if (!pattern || pattern === '/') return '';
  const segments = pattern.split('/').length - 1;
  let end = 0;
  for (let i = 0; i < segments; i++) {
    const next = urlPath.indexOf('/', end + 1);
    if (next === -1) return urlPath;
    end = next;
  }
  return urlPath.slice(0, end);
}

/**
 * The request to build the environ from. Hono middleware may have read the body already (a
 * validator, a body limit, a logger): the stream is spent then, and the body comes whole from
 * Hono's cache. A parsed form is encoded again, under a boundary its new Content-Type names.
 */
async function unreadRequest(c: Context): Promise<Request> {
  const request = c.req.raw;
  const form = (c.req.bodyCache as { formData?: Promise<FormData> }).formData;
  const again = new Response(form ? await form : await c.req.arrayBuffer());
  const bytes = new Uint8Array(await again.arrayBuffer());
  const headers = new Headers(request.headers);
  const formType = form && again.headers.get('content-type');
  if (formType) headers.set('content-type', formType);
  if (headers.has('content-length')) headers.set('content-length', String(bytes.length));
  return new Request(request.url, { method: request.method, headers, body: bytes });
}

/** A TSGI app as a Hono handler: `app.all('/legacy/*', toHono(tsgiApp))`. */
export function toHono(app: App, options: ToHonoOptions = {}): (c: Context) => Promise<Response> {
  // Background work when Hono has no execution context (Node): kept here, failures on wsgi.errors.
  const local = new PendingWork(() => {});
  return async (c) => {
    const raw = c.req.raw;
    const spent = raw.body !== null && (raw.bodyUsed || raw.body.locked);
    const request = spent ? await unreadRequest(c) : raw;
    let ctx: unknown;
    try {
      ctx = c.executionCtx;
    } catch {
      // Hono throws when the platform gave no execution context (Node, Lambda).
    }
    const scriptName =
      options.scriptName ?? routePrefix(c.req.routePath, new URL(request.url).pathname);
    const environ = environFromRequest(request, {
      ...options.environOptions,
      scriptName,
      extra: { ...platformKeys(raw, c.env, ctx), 'hono.context': c },
    });
    addWaitUntil(environ, ctx, undefined, local);
    return whenReady(startApp(app, environ, options), toResponse, request.method === 'HEAD');
  };
}

/**
 * A TSGI app as a fetch handler for `app.mount(prefix, mountable(tsgiApp, prefix))`. Hono's mount
 * cuts the prefix off the URL before calling us; this puts it back as SCRIPT_NAME. (A plain
 * `toFetch(tsgiApp)` cannot see the prefix: Hono passes only the rewritten Request.) With
 * `{ replaceRequest: false }` use `toFetch(tsgiApp, { scriptName: prefix })` instead.
 */
export function mountable(
  app: App,
  prefix: string,
  options: Omit<ToHonoOptions, 'scriptName'> = {},
): (request: Request, env?: unknown, executionCtx?: unknown) => Promise<Response> {
  const handler = toFetch(app, {
    ...options,
    scriptName: prefix,
    pathStripped: true,
    environ: (request: Request, env?: unknown, ctx?: unknown) => platformKeys(request, env, ctx),
  });
  return (request, env, ctx) => handler(request, env as never, ctx as never);
}
