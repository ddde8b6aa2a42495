/**
 * Writes an AppResponse to a uwsgi socket: status line + headers + body. A complete small
 * response goes out in one write; a streamed one chunk by chunk with backpressure, and without a
 * known length it simply ends at close (nginx reads to EOF).
 */
import { type AppResponse, errorResponse, isNullBodyStatus } from '../../src/index.js';
import type { Logger } from '../logging/logger.js';
import { RepeatedHead } from './repeated-head.js';
import { announcedLength, serializeHead } from './response-head.js';
import { streamBody } from './write-batch.js';

/** What the writer needs from the connection. */
export interface ResponseTarget {
  /** Writes bytes; false when the socket buffer is full (then await waitDrain()). */
  write(bytes: Uint8Array): boolean;
  /**
   * Writes several buffers as one write (one system call where the transport can), without
   * copying them into one; same answer as write(). Without it, a big body is copied once.
   */
  writev?(chunks: readonly Uint8Array[]): boolean;
  /** Resolves true once writable again, false if the connection closed or timed out. */
  waitDrain(): Promise<boolean>;
  readonly closed: boolean;
}

export interface WriteOutcome {
  status: number;
  /** Body bytes written. */
  bytes: number;
  /** False when the connection closed early or the body failed: the caller must not reuse it. */
  ok: boolean;
}

/**
 * Writes a response whose body is known whole (or not sent: HEAD, 204/304) in one write, now.
 * Returns undefined when it cannot: a streamed body, or a head that fails to serialize (then
 * writeResponse answers 500 and logs it). The caller closes the response.
 */
export function writeWhole(
  target: ResponseTarget,
  response: AppResponse,
  isHead: boolean,
): WriteOutcome | undefined {
  const bodyless = isNullBodyStatus(response.status);
  if (!response.complete && !isHead && !bodyless) return undefined;
  let head: string | Buffer;
  try {
    head = repeatedHead.head(response, bodyless, announcedLength(response, isHead));
  } catch {
    return undefined;
  }
  if (isHead || bodyless) {
    target.write(typeof head === 'string' ? Buffer.from(head, 'latin1') : head);
    return { status: response.status, bytes: 0, ok: true };
  }
  const total = writeHeadAndBody(target, head, response.chunks);
  return { status: response.status, bytes: total, ok: true };
}

/** The last whole response's head: a repeated one is written from its bytes. */
const repeatedHead = new RepeatedHead();

/**
 * Below this many bytes a response is copied into one buffer: Node hands out buffers this small
 * from a shared pool, so the copy allocates nothing. Above it, a copy would be a fresh buffer the
 * garbage collector has to account for on every request (a 64 KB echo, a 100 KB file), so the
 * head and the body's own chunks go out in one vectored write instead.
 */
export const COPY_MAX = Buffer.poolSize >>> 1;

type Latin1Writer = Buffer & {
  latin1Write?: (text: string, offset: number, length: number) => number;
};

/**
 * Node's native latin-1 encode into the start of `out`: what write(text, 0, length, 'latin1')
 * ends in, without its argument and encoding checks (once per response).
 */
function writeLatin1(out: Buffer, text: string, length: number): void {
  const writer = out as Latin1Writer;
  if (writer.latin1Write) writer.latin1Write(text, 0, length);
  else out.write(text, 0, length, 'latin1');
}

/**
 * Writes a serialized head and a body known whole as one write (nginx opens a connection per
 * request, so it is also the last); returns the body's byte length.
 */
function writeHeadAndBody(
  target: ResponseTarget,
  head: string | Buffer,
  chunks: readonly Uint8Array[],
): number {
  const headLength = head.length; // latin-1: one byte per character
  let total = 0;
  for (let i = 0; i < chunks.length; i++) total += chunks[i]!.length;
  if (target.writev !== undefined && headLength + total >= COPY_MAX) {
    const out: Uint8Array[] = [typeof head === 'string' ? Buffer.from(head, 'latin1') : head];
    for (let i = 0; i < chunks.length; i++) if (chunks[i]!.length > 0) out.push(chunks[i]!);
    target.writev(out);
    return total;
  }
  const out = Buffer.allocUnsafe(headLength + total);
  if (typeof head === 'string') writeLatin1(out, head, headLength);
  else out.set(head);
  let offset = headLength;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    out.set(chunk, offset);
    offset += chunk.length;
  }
  target.write(out);
  return total;
}

export async function writeResponse(
  target: ResponseTarget,
  response: AppResponse,
  isHead: boolean,
  log: Logger,
): Promise<WriteOutcome> {
  const whole = writeWhole(target, response, isHead);
  if (whole) {
    await response.close();
    return whole;
  }
  const bodyless = isNullBodyStatus(response.status);
  let head: string;
  try {
    head = serializeHead(response, bodyless, announcedLength(response, isHead));
  } catch (error) {
    log.error((error as Error).message);
    await response.close();
    response = errorResponse(error);
    head = serializeHead(response, false);
    isHead = false;
  }
  if (isHead || bodyless) {
    target.write(Buffer.from(head, 'latin1'));
    await response.close();
    return { status: response.status, bytes: 0, ok: true };
  }
  if (response.complete) {
    const total = writeHeadAndBody(target, head, response.chunks);
    await response.close();
    return { status: response.status, bytes: total, ok: true };
  }
  // Streaming: the head goes with the first chunks, each turn's chunks in one write.
  return streamBody(target, response, Buffer.from(head, 'latin1'));
}

/** The uwsgi protocol's response side, as request-cycle.ts's ResponseCodec. */
export const uwsgiResponse = { whole: writeWhole, stream: writeResponse } as const;
