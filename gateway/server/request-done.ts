/**
 * The end of a request, on every path (uwsgi fast and regular, HTTP, upgrades, refusals): one
 * request log line and one count. The server writes request lines only here; a worker with
 * --log-format or --log-req-encoder writes its own from the request tracker instead, and then
 * turns these off (disable-logging on the server's logger).
 */
import { requestLine } from '../logging/logger.js';
import type { ConnectionContext } from './uwsgi-connection.js';

/** How a request ended, when not simply answered. */
export type Outcome = 'aborted' | 'client gone' | undefined;

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
): void {
  const { log } = context;
  if (log.requests !== false) {
    const shown = outcome ? `${status} (${outcome})` : status;
    log.request(requestLine(remote, method, uri, shown, bytes, startedAt));
  }
  if (counted) context.onRequestDone?.(status);
}
