/**
 * The request body of a uwsgi request: exactly CONTENT_LENGTH bytes that follow the vars block
 * on the same socket. A ChunkSource for createInput(); the connection pushes socket chunks in.
 */
import type { ChunkSource } from '../../src/index.js';

/** Above this many buffered bytes the socket is paused until the app reads. */
const HIGH_WATER = 256 * 1024;

export interface BodyFlow {
  pause(): void;
  resume(): void;
  /** Called when a read starts waiting (arms the socket-timeout). */
  waiting(): void;
}

export class SocketBody implements ChunkSource {
  /** Bytes not yet received from the socket. */
  remaining: number;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #paused = false;
  #waiter:
    | { resolve: (chunk: Uint8Array | null) => void; reject: (error: unknown) => void }
    | undefined;
  #failure: unknown;
  #discarding = false;
  readonly #flow: BodyFlow;

  constructor(length: number, flow: BodyFlow) {
    this.remaining = length;
    this.#flow = flow;
  }

  /** True while a read is waiting for bytes. */
  get waitingForData(): boolean {
    return this.#waiter !== undefined;
  }

  /** Adds socket bytes; returns how many were beyond the body (peer garbage), which are dropped. */
  push(chunk: Uint8Array): number {
    if (chunk.length === 0) return 0;
    const take = Math.min(chunk.length, this.remaining);
    const extra = chunk.length - take;
    this.remaining -= take;
    if (take === 0 || this.#discarding) return extra;
    const part = take === chunk.length ? chunk : chunk.subarray(0, take);
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve(part);
      return extra;
    }
    this.#queue.push(part);
    this.#queued += part.length;
    if (this.#queued > HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.#flow.pause();
    }
    return extra;
  }

  pull(): Promise<Uint8Array | null> {
    if (this.#queue.length > 0) {
      const chunk = this.#queue.shift()!;
      this.#queued -= chunk.length;
      if (this.#paused && this.#queued <= HIGH_WATER / 2) {
        this.#paused = false;
        this.#flow.resume();
      }
      return Promise.resolve(chunk);
    }
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.remaining === 0 || this.#discarding) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#flow.waiting();
    });
  }

  /** The app gave up on the body (wsgi.input cancelled). */
  cancel(): void {
    this.discard();
  }

  /** Drops buffered bytes and every later byte (the response is done; the rest is drained). */
  discard(): void {
    this.#discarding = true;
    this.#queue = [];
    this.#queued = 0;
    if (this.#paused) {
      this.#paused = false;
      this.#flow.resume();
    }
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(null);
  }

  /** The socket ended or timed out before the body was complete. */
  fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }
}
