/** The environ keys a Worker request adds on top of what environFromRequest builds. */
import type { ExecutionContext, IncomingRequestCfProperties } from '@cloudflare/workers-types';
import { addHeader, type Environ, utf8ToLatin1 } from '../../src/index.js';

/** The environ keys this adapter adds (a contract: do not rename). */
export const ENV_KEY = 'cloudflare.env';
export const CTX_KEY = 'cloudflare.ctx';
export const CF_KEY = 'cloudflare.cf';

/** `cloudflare.ctx`: the Worker's ExecutionContext (waitUntil, passThroughOnException). */
export type WorkerContext = Pick<ExecutionContext, 'waitUntil' | 'passThroughOnException'>;

/** A request as workerd hands it over: `cf` is absent in some local runs (vitest-pool-workers). */
type CfRequest = Request & { cf?: IncomingRequestCfProperties };

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * workerd announces itself this way (documented runtime detection). Elsewhere (Node, a test
 * shim) Fetch header values are already the wire bytes as latin-1 and must stay as they are.
 */
const HEADERS_UTF8_DECODED =
  (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent ===
  'Cloudflare-Workers';

/** True when a header-derived environ value has a non-ASCII character (rare: a cheap check). */
function hasNonAsciiHeader(environ: Record<string, unknown>): boolean {
  for (const key in environ) {
    if (key.startsWith('HTTP_') || key.startsWith('CONTENT_')) {
      const value = environ[key];
      if (typeof value === 'string' && NON_ASCII.test(value)) return true;
    }
  }
  return false;
}

/**
 * workerd decodes header bytes as UTF-8 (invalid bytes become U+FFFD), and PEP 3333 wants the
 * wire bytes as latin-1 characters: every non-ASCII value goes back to its UTF-8 bytes. The core
 * cannot tell "é" decoded from UTF-8 from "é" as a latin-1 byte, so it keeps such values as is.
 */
function headersAsWireBytes(request: Request, environ: Record<string, unknown>): void {
  const fixed: Record<string, unknown> = {};
  request.headers.forEach((value, name) => {
    if (NON_ASCII.test(value)) addHeader(fixed, name, utf8ToLatin1(value));
  });
  Object.assign(environ, fixed);
}

/**
 * Adds `cloudflare.env`, `cloudflare.ctx`, `cloudflare.cf` (when the request has one) and
 * REMOTE_ADDR to an environ built from a Worker request, and fixes non-ASCII header values.
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
  if (HEADERS_UTF8_DECODED && hasNonAsciiHeader(e)) headersAsWireBytes(request, e);
}
