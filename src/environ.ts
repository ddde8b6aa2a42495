/**
 * Environ construction shared by every platform: header → CGI key rules and a builder from a
 * Fetch Request. The key names are spelled here once.
 */
import { createErrors } from './errors-stream.js';
import { streamInput } from './input.js';
import { percentDecodeToLatin1, utf8ToLatin1 } from './latin1.js';
import type { Environ, ErrorStream } from './types.js';

/** The value of `wsgi.version`: `[1, 0]`. */
export const WSGI_VERSION: readonly [1, 0] = Object.freeze([1, 0] as const);

/** Header name (as received) → environ key; bounded, so odd names cannot grow it without limit. */
const keyCache = new Map<string, string>();
const KEY_CACHE_MAX = 512;

/** `content-type` → `HTTP_CONTENT_TYPE`. */
export function headerKey(name: string): string {
  const cached = keyCache.get(name);
  if (cached !== undefined) return cached;
  let key = 'HTTP_';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 45) key += '_';
    else if (c >= 97 && c <= 122) key += String.fromCharCode(c - 32);
    else key += name[i];
  }
  if (keyCache.size < KEY_CACHE_MAX) keyCache.set(name, key);
  return key;
}

/**
 * Adds one request header to the environ. Content-Type and Content-Length become the CGI keys and
 * never HTTP_CONTENT_*; repeats are joined with `, ` (`; ` for Cookie), as nginx ≥ 1.23 does.
 */
export function addHeader(environ: Record<string, unknown>, name: string, value: string): void {
  const length = name.length;
  if (length === 12 || length === 14) {
    // The CGI keys (by the exact name: `content_type` is an ordinary HTTP_ header); a repeat
    // replaces rather than joins.
    const lower = name.toLowerCase();
    if (lower === 'content-type') {
      environ.CONTENT_TYPE = value;
      return;
    }
    if (lower === 'content-length') {
      environ.CONTENT_LENGTH = value;
      return;
    }
  }
  const key = headerKey(name);
  const prev = environ[key];
  if (prev === undefined) environ[key] = value;
  else environ[key] = `${prev}${key === 'HTTP_COOKIE' ? '; ' : ', '}${value}`;
}

/**
 * True for a header name an environ must not take: one with `_`. `X_Forwarded_For` and
 * `X-Forwarded-For` both map to HTTP_X_FORWARDED_FOR, so a client could add to (or, sorted last,
 * override) what a proxy set. nginx (`underscores_in_headers off`), Apache and gunicorn drop them.
 */
export function isUnderscoredHeaderName(name: string): boolean {
  return name.includes('_');
}

/**
 * Fetch header name → environ key, `''` for a name that is dropped: the same rules as addHeader
 * and isUnderscoredHeaderName, decided once per name instead of once per header per request.
 */
const fetchKeyCache = new Map<string, string>();

function fetchHeaderKey(name: string): string {
  let key = fetchKeyCache.get(name);
  if (key !== undefined) return key;
  const lower = name.toLowerCase();
  if (name.includes('_'))
    key = ''; // isUnderscoredHeaderName
  else if (lower === 'content-type') key = 'CONTENT_TYPE';
  else if (lower === 'content-length') key = 'CONTENT_LENGTH';
  else key = headerKey(name);
  if (fetchKeyCache.size < KEY_CACHE_MAX) fetchKeyCache.set(name, key);
  return key;
}

/** A char past ASCII: in a value decoded as UTF-8, it stands for two to four wire bytes. */
const NON_ASCII = /[^\x00-\x7f]/;
/** A char past U+00FF: no byte reads as one, so the value is decoded text whatever the runtime. */
const WIDE_CHAR = /[^\x00-\xff]/;

/**
 * Which header values are text to turn back into their UTF-8 bytes, decided once per runtime.
 * Fetch header values are ByteStrings (Node and Deno refuse a char past U+00FF and hand the wire
 * bytes over one char per byte, as an environ wants them): nothing to scan there. workerd decodes
 * the wire bytes as UTF-8 (it announces itself in navigator.userAgent): every non-ASCII value is
 * text. Elsewhere, a runtime whose Headers accept wider chars gets the values that cannot be bytes.
 */
const HEADER_TEXT: RegExp | undefined = /* @__PURE__ */ (() => {
  const agent = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent;
  if (agent === 'Cloudflare-Workers') return NON_ASCII;
  try {
    return new Headers([['x', '\u0100']]).get('x') === '\u0100' ? WIDE_CHAR : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * Adds a Fetch Request's headers. Fetch iterates them sorted, lower-cased and already combined
 * (`, `; `; ` for Cookie), so each name comes once and each environ key with it, except
 * Set-Cookie, which comes once per value, next to each other: those are joined here. That
 * spares a read of the environ per header. Values that are decoded text (HEADER_TEXT) go back
 * to their bytes. Same result as addHeader with isUnderscoredHeaderName.
 */
function addFetchHeaders(environ: Record<string, unknown>, headers: Headers): void {
  let last = '';
  for (const [name, value] of headers) {
    const key = fetchHeaderKey(name);
    if (key === '') continue;
    const text = HEADER_TEXT?.test(value) ? utf8ToLatin1(value) : value;
    environ[key] = key === last ? `${environ[key]}, ${text}` : text;
    last = key;
  }
}

/** Splits a mount prefix off a latin-1 path: `/app` + `/app/x` → ['/app', '/x']. */
export function splitScriptName(path: string, scriptName: string): [string, string] {
  const prefix = scriptName.endsWith('/') ? scriptName.slice(0, -1) : scriptName;
  if (!prefix) return ['', path];
  if (path === prefix) return [prefix, ''];
  if (path.startsWith(`${prefix}/`)) return [prefix, path.slice(prefix.length)];
  return ['', path];
}

/** Options of environFromRequest: mount point, errors sink, and the wsgi.multithread/multiprocess/run_once flags. */
export interface RequestEnvironOptions {
  /** Mount point moved from PATH_INFO into SCRIPT_NAME (URL form, e.g. `/legacy`). */
  scriptName?: string;
  /**
   * The platform already removed `scriptName` from the URL (Hono's `mount` rewrites the path):
   * SCRIPT_NAME is `scriptName` and PATH_INFO the whole URL path.
   */
  pathStripped?: boolean;
  /** Client address, when the platform knows it. */
  remoteAddr?: string;
  /** wsgi.errors for this request (default: lines to console.error). */
  errors?: ErrorStream;
  /** Values for wsgi.multithread / multiprocess / run_once (platform facts). */
  multithread?: boolean;
  multiprocess?: boolean;
  runOnce?: boolean;
  /** Extra keys (platform extensions such as `cloudflare.env`). */
  extra?: Record<string, unknown>;
}

interface UrlParts {
  https: boolean;
  /** `host[:port]` as in the URL. */
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  /** `?query` or `''`. */
  search: string;
}

/**
 * Splits `request.url`. It is already a serialized WHATWG URL (no credentials, normalized path,
 * lower-case scheme), so plain index arithmetic is exact and skips a second URL parse per request.
 */
function splitUrl(href: string): UrlParts {
  const https = href.startsWith('https://');
  if (!https && !href.startsWith('http://')) {
    const url = new URL(href);
    return {
      https: false,
      host: url.host,
      hostname: url.hostname,
      port: url.port,
      pathname: url.pathname,
      search: url.search,
    };
  }
  const hostStart = https ? 8 : 7;
  let pathStart = href.indexOf('/', hostStart);
  if (pathStart === -1) pathStart = href.length;
  const host = href.slice(hostStart, pathStart);
  let end = href.indexOf('#', pathStart);
  if (end === -1) end = href.length;
  let query = href.indexOf('?', pathStart);
  if (query === -1 || query > end) query = end;
  const colon = host.lastIndexOf(':');
  const hasPort = colon !== -1 && colon > host.lastIndexOf(']');
  return {
    https,
    host,
    hostname: hasPort ? host.slice(0, colon) : host,
    port: hasPort ? host.slice(colon + 1) : '',
    pathname: href.slice(pathStart, query) || '/',
    search: query + 1 < end ? href.slice(query, end) : '',
  };
}

/** Builds the environ for a Fetch Request. */
export function environFromRequest(request: Request, options: RequestEnvironOptions = {}): Environ {
  const url = splitUrl(request.url);
  const scheme = url.https ? 'https' : 'http';
  const path = percentDecodeToLatin1(url.pathname);
  let scriptName = '';
  let pathInfo = path;
  if (options.scriptName) {
    const prefix = percentDecodeToLatin1(options.scriptName);
    if (options.pathStripped) scriptName = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    else [scriptName, pathInfo] = splitScriptName(path, prefix);
  }
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const environ: Record<string, unknown> = {
    REQUEST_METHOD: request.method,
    SCRIPT_NAME: scriptName,
    PATH_INFO: pathInfo,
    QUERY_STRING: url.search.length > 1 ? url.search.slice(1) : '',
    REQUEST_URI: url.pathname + url.search,
    SERVER_NAME: hostname,
    SERVER_PORT: url.port || (scheme === 'https' ? '443' : '80'),
    SERVER_PROTOCOL: 'HTTP/1.1',
    'wsgi.version': WSGI_VERSION,
    'wsgi.url_scheme': scheme,
    'wsgi.errors': options.errors ?? createErrors(),
    'wsgi.multithread': options.multithread ?? false,
    'wsgi.multiprocess': options.multiprocess ?? true,
    'wsgi.run_once': options.runOnce ?? false,
  };
  if (scheme === 'https') environ.HTTPS = 'on';
  if (options.remoteAddr) environ.REMOTE_ADDR = options.remoteAddr;
  addFetchHeaders(environ, request.headers);
  // A Fetch Request carries the Host header in its URL: give it back to the app (PEP 3333 URL rebuild).
  if (environ.HTTP_HOST === undefined) environ.HTTP_HOST = url.host;
  // Read once: each access of request.body is a getter with a brand check.
  const body = request.body;
  environ['wsgi.input'] = streamInput(body);
  if (body && environ.CONTENT_LENGTH === undefined) environ['wsgi.input_terminated'] = true;
  if (options.extra) Object.assign(environ, options.extra);
  return environ as Environ;
}
