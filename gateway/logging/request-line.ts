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

/** A finished request: what its log line shows, and whether it counts. */
export interface FinishedRequest {
  readonly remote: string | undefined;
  readonly method: string;
  /** As the client sent it (REQUEST_URI), else the path; `-` when refused before it was read. */
  readonly uri: string;
  readonly status: number;
  /** Response body bytes written. */
  readonly bytes: number;
  /** performance.now() at the start. */
  readonly startedAt: number;
  readonly outcome: Outcome;
  /** False for a request refused before the app ran (a protocol or limit error). */
  readonly counted: boolean;
  /** The request's environ, for --log-format's variables (absent when refused before it). */
  readonly environ: Record<string, unknown> | undefined;
}

/** A finished request as one line; it reads the record at once and keeps nothing. */
export type RequestLineFormat = (request: FinishedRequest) => string;

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
export const plainRequestLine: RequestLineFormat = (request) => plainLine(request, request.remote);

function plainLine(request: FinishedRequest, remote: string | undefined): string {
  const { method, uri, status, bytes, outcome } = request;
  const ms = (performance.now() - request.startedAt).toFixed(2);
  const shown = outcome ? `${status} (${outcome})` : status;
  return `${remote || '-'} ${method} ${uri} => ${shown} ${bytes} bytes in ${ms} ms`;
}

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
    return (request) => {
      const { remote } = request;
      const line = plainLine(
        request,
        forwarded ? (forwardedFor(request.environ) ?? remote) : remote,
      );
      if (!prefixed) return line;
      const { rss, vsz } = readMemory();
      return memoryPrefix(rss, vsz) + line;
    };
  }
  const format = compileLogFormat(template, { json });
  // /proc is read only when the line shows memory.
  const memory = settings.memoryReport || usesMemory(template);
  return (request) => {
    const { environ, status } = request;
    const ms = performance.now() - request.startedAt;
    const { rss, vsz } = memory ? readMemory() : NO_MEMORY;
    const line = format({
      // Refused before its vars were read: what the server knows of it.
      environ: environ ?? {
        REQUEST_METHOD: request.method,
        REQUEST_URI: request.uri,
        REMOTE_ADDR: request.remote,
      },
      addr: forwarded ? forwardedFor(environ) : undefined,
      status,
      size: request.bytes,
      outcome: request.outcome,
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
