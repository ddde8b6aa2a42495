/** The environ keys a Worker request adds on top of what environFromRequest builds. */
import type { ExecutionContext, IncomingRequestCfProperties } from '@cloudflare/workers-types';
import { addHeader, utf8ToLatin1 } from '../../src/index.js';

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
 * workerd decodes header bytes as UTF-8 (invalid bytes become U+FFFD) while PEP 3333 wants the
 * wire bytes as latin-1 characters; so every non-ASCII value goes back to its UTF-8 bytes. Pure
 * ASCII values, the usual case, are already right.
 */
function headerBytes(request: Request, out: Record<string, unknown>): void {
  request.headers.forEach((value, name) => {
    if (NON_ASCII.test(value)) addHeader(out, name, utf8ToLatin1(value));
  });
}

/** `cloudflare.env`, `cloudflare.ctx`, `cloudflare.cf`, REMOTE_ADDR and header fixes. */
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
  headerBytes(request, extra);
  return extra;
}
