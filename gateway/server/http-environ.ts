/**
 * The environ of an HTTP/1.1 request, from node:http's IncomingMessage or from our own codec's
 * request head (gateway/http/): the same rules on both paths.
 */
import {
  addHeader,
  createErrors,
  type Environ,
  percentDecodeToLatin1,
  WSGI_VERSION,
} from '../../src/index.js';
import { gatewayError } from '../errors.js';
import type { ConnectionContext } from './connection-context.js';
import { applyProxyHeaders } from './proxy-headers.js';

/** What the environ is built from (an IncomingMessage has these). */
export interface HttpRequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  /** `1.1` or `1.0`. */
  readonly httpVersion: string;
  /** Names and values as sent, alternating. */
  readonly rawHeaders: string[];
  readonly socket: ConnectionAddresses;
}

export interface ConnectionAddresses {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
}

/** host [ ":" port ] (RFC 9110 7.2): an IP literal or a reg-name, digits for the port. */
const HOST_RE = /^(\[[0-9A-Fa-f:.]+\]|[-A-Za-z0-9._~!$&'()*+,;=%]*)(?::(\d*))?$/;
/** The last Host split (a keep-alive client sends the same one on every request). */
let lastHost: { host: string; match: RegExpExecArray | null } = {
  host: '',
  match: HOST_RE.exec(''),
};

function splitHost(host: string): RegExpExecArray | null {
  if (lastHost.host !== host) lastHost = { host, match: HOST_RE.exec(host) };
  return lastHost.match;
}

/** One wsgi.errors sink per logger, not a closure per request. */
const errorSinks = new WeakMap<ConnectionContext['log'], (line: string) => void>();
function errorSinkOf(log: ConnectionContext['log']): (line: string) => void {
  let sink = errorSinks.get(log);
  if (!sink) {
    sink = (line) => log.error(line);
    errorSinks.set(log, sink);
  }
  return sink;
}

const ABSOLUTE_FORM = /^(https?):\/\/([^/?#@]+)([^#]*)$/i;

/**
 * The environ of a request. Header names with `_` are dropped, as nginx and gunicorn do: they
 * would land in the same HTTP_ key as the dashed name (`x_forwarded_for` as X-Forwarded-For).
 * Throws a coded 400 for no Host on HTTP/1.1, two Host headers, a Host that is not host[:port],
 * or an absolute-form target that is not http(s)://host.
 */
export function buildEnviron(
  req: HttpRequestLike,
  context: ConnectionContext,
  https: boolean,
): Environ {
  const { options, log } = context;
  let url = req.url ?? '/';
  let authority: string | undefined;
  if (url.charCodeAt(0) !== 0x2f && url !== '*') {
    // Absolute form (RFC 9112 3.2.2): the path comes from the URI, Host from its authority.
    const m = ABSOLUTE_FORM.exec(url);
    if (!m) throw gatewayError('ERR_HTTP_BAD_TARGET', JSON.stringify(url.slice(0, 200)));
    authority = m[2]!;
    url = m[3] || '/';
    if (url.charCodeAt(0) === 0x3f) url = `/${url}`;
  }
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const socket = req.socket;
  const env: Record<string, unknown> = {
    REQUEST_METHOD: req.method ?? 'GET',
    SCRIPT_NAME: '',
    // node:http gives the target as sent: percent-decode to bytes read as latin-1 (PEP 3333).
    PATH_INFO: percentDecodeToLatin1(rawPath),
    QUERY_STRING: q === -1 ? '' : url.slice(q + 1),
    REQUEST_URI: url,
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    REMOTE_ADDR: socket.remoteAddress ?? '',
    REMOTE_PORT: String(socket.remotePort ?? ''),
  };
  const raw = req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.indexOf('_') !== -1) continue;
    if (name.length === 4 && name.toLowerCase() === 'host' && ++hosts > 1) {
      throw gatewayError('ERR_HTTP_DUPLICATE_HOST', JSON.stringify(raw[i + 1]!.slice(0, 200)));
    }
    addHeader(env, name, raw[i + 1]!);
  }
  // RFC 9112 3.2: an HTTP/1.1 request without Host is answered 400 (node:http's own check is
  // off, so this one logs it like every other refusal).
  if (hosts === 0 && req.httpVersion === '1.1') {
    throw gatewayError(
      'ERR_HTTP_MISSING_HOST',
      `${req.method} ${JSON.stringify(url.slice(0, 200))}`,
    );
  }
  if (authority !== undefined) env.HTTP_HOST = authority;
  const host = (env.HTTP_HOST as string | undefined) ?? '';
  const m = splitHost(host);
  // A Host no URL could hold (`a b`, `x/y?`) would reach the app's absolute URLs: 400, as nginx.
  if (m === null) throw gatewayError('ERR_HTTP_BAD_HOST', JSON.stringify(host.slice(0, 200)));
  env.SERVER_NAME = m[1] || (socket.localAddress ?? 'localhost');
  env.SERVER_PORT = m[2] || String(socket.localPort ?? (https ? 443 : 80));
  if (env.CONTENT_LENGTH !== undefined) delete env.HTTP_TRANSFER_ENCODING;
  env['wsgi.version'] = WSGI_VERSION;
  env['wsgi.url_scheme'] = https ? 'https' : 'http';
  if (options.forwardedAllowIps.size > 0) applyProxyHeaders(env, options.forwardedAllowIps);
  env['wsgi.errors'] = createErrors(errorSinkOf(log));
  env['wsgi.multithread'] = false;
  env['wsgi.multiprocess'] = options.multiprocess;
  env['wsgi.run_once'] = false;
  if (env.CONTENT_LENGTH === undefined && env.HTTP_TRANSFER_ENCODING !== undefined) {
    env['wsgi.input_terminated'] = true;
  }
  return env as Environ;
}
