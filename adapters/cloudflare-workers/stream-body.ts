/**
 * The Workers Response for a committed response: toResponse, the header values workerd must get
 * as text (wire-headers.ts), and a streamed body handed to workerd through one of its native
 * streams:
 * - FixedLengthStream when the app declared Content-Length: workerd drops that header from a
 *   Response over a plain ReadableStream (it sends chunked), and this keeps it. It also aborts
 *   the response when the body comes out short, so the client sees the cut.
 * - IdentityTransformStream otherwise.
 * The pipe's promise goes to ctx.waitUntil: when the client disconnects, workerd cancels the
 * request's pending work unless a waitUntil holds it, and then the app's close() would never run.
 * With the pipe held, the disconnect cancels the pipe, which cancels our body, which closes the app.
 */
import { type AppResponse, type Environ, toResponse } from '../../src/index.js';
import { IN_WORKERD, responseHeadersForWire } from './wire-headers.js';
import type { WorkerContext } from './worker-environ.js';

type NativeTransform = new (length?: number) => TransformStream<Uint8Array, Uint8Array>;
const natives = globalThis as {
  FixedLengthStream?: NativeTransform;
  IdentityTransformStream?: NativeTransform;
};

/** The Workers Response for a committed response: wire headers, and a body kept alive by waitUntil. */
export function workerResponse(app: AppResponse, environ: Environ, ctx: WorkerContext): Response {
  const fetchResponse = toResponse(app, environ.REQUEST_METHOD === 'HEAD');
  if (IN_WORKERD) responseHeadersForWire(fetchResponse, app);
  // A complete body is one Uint8Array: workerd knows its length and has nothing left to wait on.
  if (app.complete || !fetchResponse.body) return fetchResponse;
  const Fixed = natives.FixedLengthStream;
  if (!Fixed) return fetchResponse; // not workerd (which has both)
  const { readable, writable } =
    app.contentLength === undefined
      ? new natives.IdentityTransformStream!()
      : new Fixed(app.contentLength);
  // A failure mid-body (the app threw, the client left) already reaches both ends of the pipe.
  ctx.waitUntil(fetchResponse.body.pipeTo(writable).catch(() => {}));
  return new Response(readable, fetchResponse);
}
