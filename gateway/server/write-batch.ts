/**
 * The pieces of a streamed response produced in one turn of the event loop, sent as one
 * vectored write when the turn ends (as node:http corks a response until the next tick): an app
 * whose generator yields many small chunks without waiting costs one system call, not one per
 * chunk (16 chunks of 1 KB: 17 writes before). A turn's pieces are bounded by BATCH_MAX; past it
 * they go out at once. A write the transport had to queue makes the writer wait for drain.
 */
import type { AppResponse } from '../../src/index.js';

/** What the batch writes to (a ResponseTarget of uwsgi-response.ts). */
export interface BatchTarget {
  write(bytes: Uint8Array): boolean;
  writev?(chunks: readonly Uint8Array[]): boolean;
  waitDrain(): Promise<boolean>;
  readonly closed: boolean;
}

/** Bytes held for the end of the turn at most; more go out now. */
export const BATCH_MAX = 64 * 1024;

export class WriteBatch {
  readonly #target: BatchTarget;
  #pieces: Uint8Array[] = [];
  #bytes = 0;
  #scheduled = false;
  /** A write was queued by the transport: wait for drain before adding more. */
  #blocked = false;

  constructor(target: BatchTarget) {
    this.#target = target;
  }

  /** Adds a piece to this turn's write. */
  add(piece: Uint8Array): void {
    this.#pieces.push(piece);
    this.#bytes += piece.length;
    if (this.#bytes >= BATCH_MAX) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(flushAtTurnEnd, this);
    }
  }

  /**
   * Resolves true when more may be added: at once, or once a queued write has drained; false
   * when the connection closed or stalled (the response is cut short).
   */
  ready(): Promise<boolean> | true {
    if (!this.#blocked) return true;
    this.#blocked = false;
    return this.#target.waitDrain();
  }

  /** Writes what was added (now: the last pieces of a response, before the caller moves on). */
  flush(): void {
    this.#scheduled = false;
    const pieces = this.#pieces;
    if (pieces.length === 0) return;
    this.#pieces = [];
    this.#bytes = 0;
    const target = this.#target;
    if (target.closed) return;
    let sent: boolean;
    if (pieces.length === 1) sent = target.write(pieces[0]!);
    else if (target.writev) sent = target.writev(pieces);
    else sent = target.write(Buffer.concat(pieces));
    if (!sent) this.#blocked = true;
  }

  /** Drops what was not written (the response failed or the peer left). */
  discard(): void {
    this.#pieces = [];
    this.#bytes = 0;
  }
}

/**
 * Several buffers written to a stream as one: corked writes leave as one writev of the caller's
 * buffers (no copy into one). The answer of the last write (false: wait for 'drain').
 */
export function writeCorked(
  stream: { cork(): void; uncork(): void; write(chunk: Uint8Array): boolean },
  chunks: readonly Uint8Array[],
): boolean {
  stream.cork();
  let ok = true;
  for (let i = 0; i < chunks.length; i++) ok = stream.write(chunks[i]!);
  stream.uncork();
  return ok;
}

function flushAtTurnEnd(batch: WriteBatch): void {
  batch.flush();
}

/** How a protocol frames a streamed body (HTTP's chunked encoding); uwsgi sends it bare. */
export interface BodyFraming {
  /** Goes before a chunk of `length` bytes. */
  before(length: number): Uint8Array;
  /** Goes after each chunk. */
  readonly after: Uint8Array;
  /** Ends the body. */
  readonly end: Uint8Array;
}

/**
 * Streams the app's body after its head, each turn's chunks in one write, and reports the body
 * bytes and whether the response went out whole (false: the peer left, stopped reading, or the
 * app failed mid-body, so the connection must close). Always closes the response.
 */
export async function streamBody(
  target: BatchTarget,
  response: AppResponse,
  /** The serialized head, sent with the first chunks (none: the transport sends its own). */
  head: Uint8Array | undefined,
  framing?: BodyFraming,
): Promise<{ status: number; bytes: number; ok: boolean }> {
  let bytes = 0;
  const batch = new WriteBatch(target);
  if (head) batch.add(head);
  try {
    for await (const chunk of response.body) {
      if (target.closed) return { status: response.status, bytes, ok: false };
      if (chunk.length === 0) continue;
      bytes += chunk.length;
      if (framing) batch.add(framing.before(chunk.length));
      batch.add(chunk);
      if (framing) batch.add(framing.after);
      const ready = batch.ready();
      if (ready !== true && !(await ready)) return { status: response.status, bytes, ok: false };
    }
    if (framing) batch.add(framing.end);
    batch.flush();
    // Done once the transport has taken the last bytes (a peer that stopped reading: cut short).
    const drained = batch.ready();
    if (drained !== true && !(await drained)) return { status: response.status, bytes, ok: false };
    return { status: response.status, bytes, ok: true };
  } catch {
    // The app failed mid-body (runApp logged it to wsgi.errors): the connection must close so
    // the peer sees an error rather than a short body it would take as complete.
    return { status: response.status, bytes, ok: false };
  } finally {
    batch.discard(); // what a response cut short had not written yet (a no-op once flushed)
    await response.close();
  }
}
