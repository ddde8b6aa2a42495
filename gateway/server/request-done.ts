/**
 * The end of a request, on every path (uwsgi fast and regular, HTTP, upgrades, refusals): one
 * request log line and one count. The line's text is made in logging/request-line.ts, in the
 * format the options chose (the context's `requestLine`, the default line when absent); it is not
 * built at all when request lines are off.
 */
import { type FinishedRequest, type Outcome, plainRequestLine } from '../logging/request-line.js';
import type { ConnectionContext } from './connection-context.js';

export type { FinishedRequest, Outcome };

/**
 * A FinishedRequest to fill and hand to requestDone. Like uWSGI's per-core request struct, a
 * caller keeps one and refills it for each request instead of allocating a record per request:
 * requestDone reads it at once and keeps nothing, so one per calling module is enough as long
 * as it is filled and passed in the same synchronous step.
 */
export class RequestRecord implements FinishedRequest {
  remote: string | undefined = undefined;
  method = '-';
  uri = '-';
  status = 0;
  bytes = 0;
  startedAt = 0;
  outcome: Outcome = undefined;
  counted = true;
  environ: Record<string, unknown> | undefined = undefined;
}

export function requestDone(context: ConnectionContext, request: FinishedRequest): void {
  const { log } = context;
  if (log.requests !== false) {
    const line = context.requestLine ?? plainRequestLine;
    log.request(line(request));
  }
  if (request.counted) context.onRequestDone?.(request.status);
}
