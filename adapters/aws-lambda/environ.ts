/**
 * Builds the environ straight from an event (no Fetch Request in between: Fetch rejects GET bodies
 * and rewrites hosts). Header names are matched case-insensitively through their CGI keys.
 */
import {
  addHeader,
  createErrors,
  createInput,
  type Environ,
  isUnderscoredHeaderName,
  percentDecodeToLatin1,
  percentEncodeLatin1Path,
  splitScriptName,
  WSGI_VERSION,
} from '../../src/index.js';
import { decodeBody, truncatedInput } from './body.js';
import type { RequestParts } from './request.js';
import { textToLatin1 } from './text.js';
import type { Context, HandleOptions } from './types.js';

export interface EnvironSettings {
  stage: boolean;
  /** Decoded (latin-1) base path, or '' for none. */
  basePath: string;
  serverName: string;
  log: (line: string) => void;
}

export function environSettings(options: HandleOptions): EnvironSettings {
  return {
    stage: options.stage === true,
    basePath: options.basePath ? percentDecodeToLatin1(options.basePath).replace(/\/+$/, '') : '',
    serverName: options.serverName ?? 'localhost',
    log: options.log ?? ((line) => console.error(line)),
  };
}

/** `host[:port]` or `[v6][:port]` → [lower-cased name, port or '']. */
function splitHost(host: string): [string, string] {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end > 0) {
      const rest = host.slice(end + 1);
      return [host.slice(1, end).toLowerCase(), rest.startsWith(':') ? rest.slice(1) : ''];
    }
  }
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && host.indexOf(':') === colon) {
    return [host.slice(0, colon).toLowerCase(), host.slice(colon + 1)];
  }
  return [host.toLowerCase(), ''];
}

function firstListValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const comma = value.indexOf(',');
  return (comma === -1 ? value : value.slice(0, comma)).trim();
}

/** SCRIPT_NAME / PATH_INFO from the event path and the stage / basePath options. */
function splitPath(parts: RequestParts, settings: EnvironSettings): [string, string] {
  let script = '';
  let path = parts.path;
  if (settings.stage && parts.stagePrefix) {
    if (parts.stageInPath) [script, path] = splitScriptName(path, parts.stagePrefix);
    else script = parts.stagePrefix;
  }
  if (settings.basePath) {
    const [more, rest] = splitScriptName(path, settings.basePath);
    script += more;
    path = rest;
  }
  if (script === '' && path === '') path = '/';
  return [script, path];
}

/** The full path the client asked for, in URL form, with a stage the gateway removed put back. */
function requestUri(parts: RequestParts, query: string, stage: boolean): string {
  const prefix =
    stage && parts.stagePrefix && !parts.stageInPath
      ? percentEncodeLatin1Path(parts.stagePrefix)
      : '';
  return prefix + parts.rawPath + (query ? `?${query}` : '');
}

export function buildEnviron(
  parts: RequestParts,
  event: unknown,
  context: Context | undefined,
  settings: EnvironSettings,
): Environ {
  const requestId = context?.awsRequestId ?? parts.requestId ?? '-';
  const log = settings.log;
  const [scriptName, pathInfo] = splitPath(parts, settings);
  const query = parts.query ? textToLatin1(parts.query) : '';
  const environ: Record<string, unknown> = {
    REQUEST_METHOD: parts.method,
    SCRIPT_NAME: scriptName,
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    REQUEST_URI: requestUri(parts, query, settings.stage),
    SERVER_NAME: '',
    SERVER_PORT: '',
    SERVER_PROTOCOL: parts.protocol || 'HTTP/1.1',
    'wsgi.version': WSGI_VERSION,
    'wsgi.url_scheme': 'https',
    'wsgi.input': undefined,
    'wsgi.errors': createErrors((line) => log(`[${requestId}] ${line}`)),
    'wsgi.multithread': false,
    'wsgi.multiprocess': true,
    'wsgi.run_once': false,
    'aws.event': event,
    'aws.context': context,
  };
  const headers = parts.headers;
  if (headers) {
    for (const name in headers) {
      // Dropped, as nginx does: `x_forwarded_for` would merge into HTTP_X_FORWARDED_FOR.
      if (isUnderscoredHeaderName(name)) continue;
      const value = headers[name];
      if (typeof value === 'string') addHeader(environ, name, textToLatin1(value));
      else if (Array.isArray(value)) {
        for (const v of value) if (typeof v === 'string') addHeader(environ, name, textToLatin1(v));
      }
    }
  }
  // HTTP API / Function URL move cookies out of the headers; a Cookie header next to them repeats them.
  if (parts.cookies && parts.cookies.length > 0) {
    environ.HTTP_COOKIE = textToLatin1(parts.cookies.join('; '));
  }

  const body = decodeBody(parts.body, parts.isBase64Encoded);
  if (parts.inputTruncated) {
    // The viewer's Content-Length (the whole body) stays: the input fails where the cut is.
    environ['wsgi.input'] = truncatedInput(body);
  } else {
    // The decoded length is the truth; a stated Content-Length may be understated or stale.
    if (body) environ.CONTENT_LENGTH = String(body.length);
    else if (environ.CONTENT_LENGTH !== undefined) environ.CONTENT_LENGTH = '0';
    environ['wsgi.input'] = createInput(body);
  }

  const proto = firstListValue(environ.HTTP_X_FORWARDED_PROTO)?.toLowerCase();
  const scheme = proto === 'http' ? 'http' : 'https';
  environ['wsgi.url_scheme'] = scheme;
  if (scheme === 'https') environ.HTTPS = 'on';

  const host =
    firstListValue(environ.HTTP_HOST) || parts.domainName || settings.serverName || 'localhost';
  const [name, port] = splitHost(host);
  environ.SERVER_NAME = name || settings.serverName;
  const defaultPort = scheme === 'https' ? '443' : '80';
  const serverPort = port || firstListValue(environ.HTTP_X_FORWARDED_PORT) || defaultPort;
  environ.SERVER_PORT = serverPort;
  if (environ.HTTP_HOST === undefined) {
    // Console tests and health checks send no Host: give the app the one a URL rebuild needs.
    const serverName = environ.SERVER_NAME as string;
    const bracketed = serverName.includes(':') ? `[${serverName}]` : serverName;
    environ.HTTP_HOST = serverPort === defaultPort ? bracketed : `${bracketed}:${serverPort}`;
  }

  if (parts.remoteAddr) environ.REMOTE_ADDR = parts.remoteAddr;
  else if (typeof environ.HTTP_X_FORWARDED_FOR === 'string') {
    // The load balancer appends the address it saw last: that one it vouches for.
    const xff = environ.HTTP_X_FORWARDED_FOR;
    environ.REMOTE_ADDR = xff.slice(xff.lastIndexOf(',') + 1).trim();
  }
  if (parts.extra) Object.assign(environ, parts.extra);
  return environ as Environ;
}
