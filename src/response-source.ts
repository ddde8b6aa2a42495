/**
 * A Response's status, headers and body as it was made, without reading its stream. `new
 * Response(x)` wraps a string or bytes in a ReadableStream, and reading that back costs more than
 * the rest of a small request. Two ways to the source:
 * - a lightweight Response (one a server installs as the global `Response`, as the gateway does)
 *   hands its parts over through RESPONSE_PARTS;
 * - Node's own Response keeps the source in its internal state: a probe finds that state once.
 * Where neither works (other runtimes, a future Node), or the body is a stream, a Blob or form
 * data, the caller streams.
 */

/** What a lightweight Response gives instead of its streams (all as a real Response would say). */
export interface ResponseParts {
  readonly status: number;
  readonly statusText: string;
  /**
   * The response headers: a Headers object, or pairs already in Headers form (lower-case valid
   * names, valid values, sorted by name, with the content type a real Response would add).
   */
  readonly headers: Headers | readonly (readonly [string, string])[];
  /** The body as given: null for none. */
  readonly body: string | Uint8Array | null;
}

/**
 * The method a lightweight Response implements: its parts while it has built no native Response,
 * else undefined (from then on it is read like any Response). On the lightweight class itself,
 * the same key holds the native Response constructor.
 */
export const RESPONSE_PARTS: unique symbol = Symbol.for('tsgi.responseParts') as never;

interface Lightweight {
  [RESPONSE_PARTS]?: () => ResponseParts | undefined;
}

/** The parts of a lightweight Response that is still light, else undefined. */
export function responseParts(response: Response): ResponseParts | undefined {
  const parts = (response as Lightweight)[RESPONSE_PARTS];
  return typeof parts === 'function' ? parts.call(response) : undefined;
}

type State = { body?: { source?: unknown } | null } | undefined;

const encoder = new TextEncoder();
const PROBE = 'tsgi-response-source-probe';
let stateKey: symbol | null | undefined;

/** The symbol under which this runtime keeps a Response's body source, or null. */
function findStateKey(): symbol | null {
  // The runtime's own Response, also when a lightweight one is the global.
  const Native =
    (Response as unknown as Record<symbol, typeof Response | undefined>)[RESPONSE_PARTS] ??
    Response;
  const probe = new Native(PROBE);
  for (const key of Object.getOwnPropertySymbols(probe)) {
    const state = (probe as unknown as Record<symbol, State>)[key];
    if (state?.body?.source === PROBE) return key;
  }
  return null;
}

/**
 * The body's bytes when they are at hand: null for no body, a Uint8Array for a body made from a
 * string or bytes, undefined when it has to be streamed.
 */
export function responseSource(response: Response): Uint8Array | null | undefined {
  if (stateKey === undefined) stateKey = findStateKey();
  if (stateKey === null) return response.body === null ? null : undefined;
  const state = (response as unknown as Record<symbol, State>)[stateKey];
  if (!state) return response.body === null ? null : undefined;
  // A Response without a body has no body record at all.
  const body = state.body;
  if (body === null || body === undefined) return null;
  const source = body.source;
  if (typeof source === 'string') {
    // Only while nobody has touched the stream: it would hold what is left, not the source.
    return response.bodyUsed || response.body?.locked ? undefined : encoder.encode(source);
  }
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    if (response.bodyUsed || response.body?.locked) return undefined;
    return source instanceof Uint8Array ? source : new Uint8Array(source);
  }
  return undefined;
}
