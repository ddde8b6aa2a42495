/**
 * The environ for a uwsgi request, from the vars nginx (or lighttpd, Apache) sent.
 *
 * - CONTENT_TYPE/CONTENT_LENGTH come from the CGI vars; nginx also sends HTTP_CONTENT_TYPE and
 *   HTTP_CONTENT_LENGTH, which are never exposed.
 * - Repeated HTTP_* vars (nginx < 1.23 sends one per header line) are joined with `, `, Cookie
 *   with `; `, as nginx >= 1.23 does, so apps see the same thing behind either.
 * - PATH_INFO may be missing (lighttpd): derived from REQUEST_URI.
 * - HTTP_TRANSFER_ENCODING is dropped when CONTENT_LENGTH is there: nginx already de-chunked the
 *   body, the header would only mislead the app about framing.
 * - UWSGI_* control vars are ignored: nothing from the wire loads code, sets env or opens files.
 */
import {
  createErrors,
  type Environ,
  type ErrorStream,
  type InputStream,
  percentDecodeToLatin1,
  splitScriptName,
  WSGI_VERSION,
} from '../../src/index.js';
import { gatewayError } from '../errors.js';
import type { UwsgiVar } from '../uwsgi/index.js';

export interface UwsgiEnvironContext {
  modifier1: number;
  modifier2: number;
  multiprocess: boolean;
  errors?: ErrorStream;
}

/** The environ minus wsgi.input (set once the body length is known), and that length. */
export interface UwsgiRequest {
  environ: Environ;
  contentLength: number;
}

const TRUE_HTTPS = new Set(['on', '1', 'yes', 'true']);

/** environFromFlatVars for `[key, value]` pairs (tests, tools). */
export function environFromVars(vars: UwsgiVar[], context: UwsgiEnvironContext): UwsgiRequest {
  const flat: string[] = [];
  for (const [key, value] of vars) flat.push(key, value);
  return environFromFlatVars(flat, vars.length, context);
}

/**
 * The environ of the first `count` vars of `vars`, flat as a VarsDecoder leaves them (key at
 * 2i, value at 2i + 1).
 */
export function environFromFlatVars(
  vars: readonly string[],
  count: number,
  context: UwsgiEnvironContext,
): UwsgiRequest {
  // Built by insertion only, never `delete`: a delete turns the object into a slow dictionary,
  // and nginx sends an empty CONTENT_LENGTH and CONTENT_TYPE on every GET.
  const env: Record<string, unknown> = {};
  let cl: string | undefined;
  let contentType: string | undefined;
  let transferEncoding: string | undefined;
  for (let i = 0; i < 2 * count; i += 2) {
    const key = vars[i]!;
    const value = vars[i + 1]!;
    const c0 = key.charCodeAt(0);
    if (c0 === 72 /* H */ && key.startsWith('HTTP_')) {
      if (key === 'HTTP_CONTENT_TYPE' || key === 'HTTP_CONTENT_LENGTH') continue;
      if (key === 'HTTP_TRANSFER_ENCODING') {
        // Kept aside: dropped when CONTENT_LENGTH is there, whatever the order of the vars.
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
        continue;
      }
      const prev = key === 'HTTP_HOST' ? env.HTTP_HOST : env[key];
      const joined =
        prev === undefined ? value : `${prev}${key === 'HTTP_COOKIE' ? '; ' : ', '}${value}`;
      if (key === 'HTTP_HOST') env.HTTP_HOST = joined;
      else env[key] = joined;
      continue;
    }
    if (c0 === 85 /* U */ && key.startsWith('UWSGI_')) continue;
    if (c0 === 67 /* C */) {
      if (key === 'CONTENT_LENGTH') {
        if (cl !== undefined && cl !== value) {
          throw gatewayError('ERR_UWSGI_BAD_CONTENT_LENGTH', 'two different CONTENT_LENGTH vars');
        }
        cl = value;
        continue;
      }
      if (key === 'CONTENT_TYPE') {
        contentType = value;
        continue;
      }
    }
    // Other CGI vars: the last one wins (uWSGI does the same).
    storeVar(env, key, value);
  }

  const method = env.REQUEST_METHOD;
  if (typeof method !== 'string' || method === '') {
    throw gatewayError('ERR_UWSGI_MISSING_VAR', 'REQUEST_METHOD');
  }

  let contentLength = 0;
  if (cl !== undefined && cl !== '') {
    if (!/^[0-9]{1,15}$/.test(cl))
      throw gatewayError('ERR_UWSGI_BAD_CONTENT_LENGTH', JSON.stringify(cl));
    contentLength = Number(cl);
    env.CONTENT_LENGTH = cl;
  } else if (transferEncoding !== undefined) {
    env.HTTP_TRANSFER_ENCODING = transferEncoding;
  }
  if (contentType !== undefined && contentType !== '') env.CONTENT_TYPE = contentType;

  const uri = typeof env.REQUEST_URI === 'string' ? env.REQUEST_URI : undefined;
  const q = uri === undefined ? -1 : uri.indexOf('?');
  if (env.QUERY_STRING === undefined)
    env.QUERY_STRING = uri !== undefined && q !== -1 ? uri.slice(q + 1) : '';
  if (env.SCRIPT_NAME === undefined) env.SCRIPT_NAME = '';
  if (env.PATH_INFO === undefined) {
    const path = uri === undefined ? '' : percentDecodeToLatin1(q === -1 ? uri : uri.slice(0, q));
    env.PATH_INFO = splitScriptName(path, env.SCRIPT_NAME as string)[1];
  }

  const https =
    (typeof env.HTTPS === 'string' && TRUE_HTTPS.has(env.HTTPS.toLowerCase())) ||
    env.REQUEST_SCHEME === 'https';
  if (env.SERVER_NAME === undefined) {
    const host = typeof env.HTTP_HOST === 'string' ? env.HTTP_HOST : '';
    env.SERVER_NAME = host.replace(/:\d+$/, '') || 'localhost';
  }
  if (env.SERVER_PORT === undefined) env.SERVER_PORT = https ? '443' : '80';
  if (env.SERVER_PROTOCOL === undefined) env.SERVER_PROTOCOL = 'HTTP/1.0';

  env['wsgi.version'] = WSGI_VERSION;
  env['wsgi.url_scheme'] = https ? 'https' : 'http';
  env['wsgi.errors'] = context.errors ?? createErrors();
  env['wsgi.multithread'] = false;
  env['wsgi.multiprocess'] = context.multiprocess;
  env['wsgi.run_once'] = false;
  // The input ends at CONTENT_LENGTH (or at once without one): safe to read to EOF.
  env['wsgi.input_terminated'] = true;
  env['uwsgi.modifier1'] = context.modifier1;
  env['uwsgi.modifier2'] = context.modifier2;
  return { environ: env as Environ, contentLength };
}

/**
 * `env[key] = value`, with the vars nginx's uwsgi_params sends on every request stored by name:
 * a store under a name known here is a cached step from one object shape to the next, the same
 * on every request, where a store under a computed name looks the shape up each time (and past
 * a dozen such properties V8 turns the object into a dictionary).
 */
function storeVar(env: Record<string, unknown>, key: string, value: string): void {
  switch (key) {
    case 'QUERY_STRING':
      env.QUERY_STRING = value;
      return;
    case 'REQUEST_METHOD':
      env.REQUEST_METHOD = value;
      return;
    case 'REQUEST_URI':
      env.REQUEST_URI = value;
      return;
    case 'PATH_INFO':
      env.PATH_INFO = value;
      return;
    case 'DOCUMENT_ROOT':
      env.DOCUMENT_ROOT = value;
      return;
    case 'SERVER_PROTOCOL':
      env.SERVER_PROTOCOL = value;
      return;
    case 'REQUEST_SCHEME':
      env.REQUEST_SCHEME = value;
      return;
    case 'HTTPS':
      env.HTTPS = value;
      return;
    case 'REMOTE_ADDR':
      env.REMOTE_ADDR = value;
      return;
    case 'REMOTE_PORT':
      env.REMOTE_PORT = value;
      return;
    case 'SERVER_PORT':
      env.SERVER_PORT = value;
      return;
    case 'SERVER_NAME':
      env.SERVER_NAME = value;
      return;
    case 'SCRIPT_NAME':
      env.SCRIPT_NAME = value;
      return;
    default:
      env[key] = value;
  }
}

export function setInput(environ: Environ, input: InputStream): void {
  environ['wsgi.input'] = input;
}
