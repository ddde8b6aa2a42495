/**
 * The end of a request, on every path (uwsgi fast and regular, HTTP, upgrades, refusals): one
 * request log line and one count. The line's text is made in logging/request-line.ts, in the
 * format the options chose (the context's `requestLine`, the default line when absent); it is not
 * built at all when request lines are off.
 */
import { type Outcome, plainRequestLine } from '../logging/request-line.js';
import type { ConnectionContext } from './connection-context.js';

export type { Outcome };

export function requestDone(
  context: ConnectionContext,
  remote: string | undefined,
  method: string,
  uri: string,
  status: number,
  bytes: number,
  startedAt: number,
  outcome?: Outcome,
  /** False for a request refused before the app ran (a protocol or limit error). */
  counted = true,
  /** The request's environ, for --log-format's variables (absent when refused before it). */
  environ?: Record<string, unknown>,
): void {
  const { log } = context;
  if (log.requests !== false) {
    const line = context.requestLine ?? plainRequestLine;
    log.request(line(remote, method, uri, status, bytes, startedAt, outcome, environ));
  }
  if (counted) context.onRequestDone?.(status);
}
