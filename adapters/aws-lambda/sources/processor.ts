/** The contract of one event source: read its event, write its result shape. */
import type { RequestParts } from '../request.js';
import type { PreparedResult } from '../result.js';
import type { EventSource, SingleValueCookies } from '../types.js';

export interface ShapeSettings {
  singleValueCookies: SingleValueCookies;
  /** Where dropped-cookie notices go (already tagged with the request id). */
  log: (line: string) => void;
}

export interface Processor {
  readonly source: EventSource;
  /** Reads the event; throws ERR_LAMBDA_EVENT_INVALID on a malformed one. */
  request(event: Record<string, unknown>): RequestParts;
  /** Builds the result object this source expects. */
  result(prepared: PreparedResult, settings: ShapeSettings): object;
}
