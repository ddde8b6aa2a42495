/**
 * The HTTP/1.1 response codec of the request cycle (request-cycle.ts's ResponseCodec): the head
 * from gateway/http/ (Date, keep-alive, Content-Length or chunked), then the body, whole in one
 * write or streamed with backpressure. It tells the connection whether it may stay open.
 */
import { type AppResponse, errorResponse } from '../../src/index.js';
import { httpDate, type ResponseHead, serializeResponseHead } from '../http/index.js';
import type { Logger } from '../logging/logger.js';
import { COPY_MAX, type ResponseTarget, type WriteOutcome } from './uwsgi-response.js';
import { type BodyFraming, streamBody } from './write-batch.js';

/** The connection as this codec sees it: the request's version and keep-alive wish. */
export interface HttpResponseTarget extends ResponseTarget {
  readonly minor: 0 | 1;
  /** The request and the server allow the connection to stay open after this response. */
  readonly keepAliveWanted: boolean;
  readonly keepAliveSeconds: number;
  /** Set here: the connection stays open after this response. */
  keepAlive: boolean;
  /** One vectored write; same answer as write(). */
  writev(chunks: readonly Uint8Array[]): boolean;
}

const CRLF = Buffer.from('\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
/** HTTP/1.1 chunked encoding of a streamed body. */
const CHUNKED: BodyFraming = {
  before: (length) => Buffer.from(`${length.toString(16)}\r\n`, 'latin1'),
  after: CRLF,
  end: LAST_CHUNK,
};
/** The end of a one-chunk chunked body: its CRLF, then the last chunk. */
const END_OF_CHUNKED = Buffer.from('\r\n0\r\n\r\n', 'latin1');

function headOf(target: HttpResponseTarget, response: AppResponse, isHead: boolean): ResponseHead {
  return serializeResponseHead(response, {
    isHead,
    minor: target.minor,
    keepAlive: target.keepAliveWanted,
    keepAliveSeconds: target.keepAliveSeconds,
    date: httpDate(),
  });
}

/**
 * Head and whole body (chunk-framed if it must be) in one write: copied into one buffer when
 * small, else the app's own chunks in one vectored write (see COPY_MAX).
 */
function writeAll(target: HttpResponseTarget, response: AppResponse, out: ResponseHead): number {
  target.keepAlive = out.keepAlive;
  const headLength = out.text.length; // latin-1: one byte per character
  if (out.bodyless) {
    target.write(Buffer.from(out.text, 'latin1'));
    return 0;
  }
  const chunks = response.chunks;
  let total = 0;
  for (let i = 0; i < chunks.length; i++) total += chunks[i]!.length;
  const sizeLine = out.chunked && total > 0 ? `${total.toString(16)}\r\n` : '';
  const trailer = out.chunked ? (total > 0 ? 2 : 0) + LAST_CHUNK.length : 0;
  const size = headLength + sizeLine.length + total + trailer;
  if (size >= COPY_MAX) {
    const pieces: Uint8Array[] = [Buffer.from(out.text + sizeLine, 'latin1')];
    for (let i = 0; i < chunks.length; i++) if (chunks[i]!.length > 0) pieces.push(chunks[i]!);
    if (out.chunked) pieces.push(total > 0 ? END_OF_CHUNKED : LAST_CHUNK);
    target.writev(pieces);
    return total;
  }
  const bytes = Buffer.allocUnsafe(size);
  bytes.write(out.text, 0, headLength, 'latin1');
  let offset = headLength;
  if (sizeLine) offset += bytes.write(sizeLine, offset, 'latin1');
  for (let i = 0; i < chunks.length; i++) {
    bytes.set(chunks[i]!, offset);
    offset += chunks[i]!.length;
  }
  if (out.chunked) {
    if (total > 0) offset += bytes.write('\r\n', offset, 'latin1');
    bytes.set(LAST_CHUNK, offset);
  }
  target.write(bytes);
  return total;
}

/**
 * Writes a response known whole (or without a body) now. Undefined when it cannot: a streamed
 * body, or a head it refuses (then stream() answers 500 and logs it).
 */
function whole(
  target: ResponseTarget,
  response: AppResponse,
  isHead: boolean,
): WriteOutcome | undefined {
  const http = target as HttpResponseTarget;
  let out: ResponseHead;
  try {
    out = headOf(http, response, isHead);
  } catch {
    return undefined;
  }
  if (!out.bodyless && !response.complete) return undefined;
  return { status: response.status, bytes: writeAll(http, response, out), ok: true };
}

async function stream(
  target: ResponseTarget,
  response: AppResponse,
  isHead: boolean,
  log: Logger,
): Promise<WriteOutcome> {
  const http = target as HttpResponseTarget;
  let out: ResponseHead;
  try {
    out = headOf(http, response, isHead);
  } catch (error) {
    // A header that would split the response, or a Content-Length a peer would frame apart.
    log.error((error as Error).message);
    await response.close();
    response = errorResponse(error);
    out = headOf(http, response, false);
  }
  if (out.bodyless || response.complete) {
    const bytes = writeAll(http, response, out);
    await response.close();
    return { status: response.status, bytes, ok: true };
  }
  http.keepAlive = out.keepAlive;
  return streamBody(
    http,
    response,
    Buffer.from(out.text, 'latin1'),
    out.chunked ? CHUNKED : undefined,
  );
}

export const httpResponse = { whole, stream } as const;
