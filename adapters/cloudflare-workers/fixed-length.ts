/**
 * workerd drops a Content-Length header from a Response whose body is a plain ReadableStream and
 * sends it chunked. Its FixedLengthStream keeps the length (and fails the response if the body
 * comes out shorter or longer), so a streamed body with a declared length goes through one.
 */
import type { AppResponse } from '../../src/index.js';

type FixedLengthStreamClass = new (length: number) => TransformStream<Uint8Array, Uint8Array>;

export function keepContentLength(fetchResponse: Response, app: AppResponse): Response {
  const Fixed = (globalThis as { FixedLengthStream?: FixedLengthStreamClass }).FixedLengthStream;
  // A complete body is one Uint8Array, whose length workerd knows; outside workerd nothing to do.
  if (!Fixed || app.complete || app.contentLength === undefined || !fetchResponse.body) {
    return fetchResponse;
  }
  const { readable, writable } = new Fixed(app.contentLength);
  // A failure mid-body (the app threw, the client left) already reaches both ends of the pipe.
  fetchResponse.body.pipeTo(writable).catch(() => {});
  return new Response(readable, fetchResponse);
}
