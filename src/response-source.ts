/**
 * A Response's body as the bytes it was made from, without reading its stream. `new Response(x)`
 * wraps a string or bytes in a ReadableStream, and reading that back costs more than the rest of
 * a small request. The Fetch API gives no way to the source, but Node's implementation keeps it
 * in the Response's internal state: a probe finds that state once, and where it is not found (other
 * runtimes, a future Node), or the body is a stream, a Blob or form data, the caller streams.
 */

type State = { body?: { source?: unknown } | null } | undefined;

const encoder = new TextEncoder();
const PROBE = 'tsgi-response-source-probe';
let stateKey: symbol | null | undefined;

/** The symbol under which this runtime keeps a Response's body source, or null. */
function findStateKey(): symbol | null {
  const probe = new Response(PROBE);
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
