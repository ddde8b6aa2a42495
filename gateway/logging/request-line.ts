/**
 * The request log line: the one place where a finished request becomes text. The format is chosen
 * once at start-up from the options; server/request-done.ts calls it once per request, and not at
 * all when request lines are off (--disable-logging), so a dropped line costs nothing to build.
 * - default: `127.0.0.1 GET /path?q => 200 12 bytes in 0.41 ms` (`200 (aborted)` when cut short);
 * - --log-format: uWSGI's `%(name)` template (log-format.ts);
 * - --log-req-encoder json: a JSON object per line (the template's values JSON-escaped);
 * - --memory-report: uWSGI's memory prefix before a plain or templated line (a JSON line keeps
 *   one object and carries %(rss)/%(vsz) instead);
 * - --log-x-forwarded-for: the X-Forwarded-For header stands for the address (default, %(addr)).
 */
import {
  compileLogFormat,
  DEFAULT_JSON_LOG_FORMAT,
  memoryPrefix,
  usesMemory,
} from './log-format.js';

/** How a request ended, when not simply answered. */
export type Outcome = 'aborted' | 'client gone' | undefined;

/**
 * A finished request as one line. Positional (no record object per request: this runs on the hot
 * path). `environ` is absent for a request refused before its vars or headers were read.
 */
export type RequestLineFormat = (
  remote: string | undefined,
  method: string,
  uri: string,
  status: number,
  /** Response body bytes written. */
  bytes: number,
  /** performance.now() at the start. */
  startedAt: number,
  outcome: Outcome,
  environ: Record<string, unknown> | undefined,
) => string;

/** What picks the format: the logging options, and the worker id for %(wid). */
export interface RequestLineSettings {
  /** --log-format, or null. */
  readonly logFormat: string | null;
  /** --log-req-encoder. */
  readonly logReqEncoder: 'plain' | 'json';
  /** --memory-report. */
  readonly memoryReport: boolean;
  /** --log-x-forwarded-for: the X-Forwarded-For header as received stands for the address. */
  readonly logXForwardedFor?: boolean;
  /** %(wid): the worker's id (1-based under a master). */
  readonly wid: number;
  /** The process memory in bytes (stats/proc.ts reads it from /proc): --memory-report, %(rss). */
  readonly readMemory: () => { rss: number; vsz: number };
}

/** The default line, as uWSGI-like as a one-liner gets. */
export const plainRequestLine: RequestLineFormat = (
  remote,
  method,
  uri,
  status,
  bytes,
  startedAt,
  outcome,
) => {
  const ms = (performance.now() - startedAt).toFixed(2);
  const shown = outcome ? `${status} (${outcome})` : status;
  return `${remote || '-'} ${method} ${uri} => ${shown} ${bytes} bytes in ${ms} ms`;
};

const NO_MEMORY = { rss: 0, vsz: 0 };

/** The X-Forwarded-For header as the client's proxy chain sent it, when there is one. */
function forwardedFor(environ: Record<string, unknown> | undefined): string | undefined {
  const value = environ?.HTTP_X_FORWARDED_FOR;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The line format the options ask for; throws ERR_LOG_FORMAT for an unknown %(variable). */
export function requestLineFormat(settings: RequestLineSettings): RequestLineFormat {
  const json = settings.logReqEncoder === 'json';
  const template = settings.logFormat ?? (json ? DEFAULT_JSON_LOG_FORMAT : null);
  const prefixed = settings.memoryReport && !json;
  const { readMemory, wid } = settings;
  const forwarded = settings.logXForwardedFor === true;
  if (template === null) {
    if (!prefixed && !forwarded) return plainRequestLine;
    return (remote, method, uri, status, bytes, startedAt, outcome, environ) => {
      const addr = forwarded ? (forwardedFor(environ) ?? remote) : remote;
      const line = plainRequestLine(addr, method, uri, status, bytes, startedAt, outcome, environ);
      if (!prefixed) return line;
      const { rss, vsz } = readMemory();
      return memoryPrefix(rss, vsz) + line;
    };
  }
  const format = compileLogFormat(template, { json });
  // /proc is read only when the line shows memory.
  const memory = settings.memoryReport || usesMemory(template);
  return (remote, method, uri, status, bytes, startedAt, _outcome, environ) => {
    const ms = performance.now() - startedAt;
    const { rss, vsz } = memory ? readMemory() : NO_MEMORY;
    const line = format({
      // Refused before its vars were read: what the server knows of it.
      environ: environ ?? { REQUEST_METHOD: method, REQUEST_URI: uri, REMOTE_ADDR: remote },
      addr: forwarded ? forwardedFor(environ) : undefined,
      status,
      size: bytes,
      ms,
      pid: process.pid,
      wid,
      rss,
      vsz,
      // The wall-clock start: now, less the duration.
      since: Date.now() - Math.round(ms),
    });
    return prefixed ? memoryPrefix(rss, vsz) + line : line;
  };
}
