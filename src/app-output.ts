/**
 * The app's output for one request, between the app and the transport: chunks from write() (with
 * backpressure above 64 KiB), the app's body iterator, and the declared length the body is held
 * to. The commit reads it before the headers go out, the streaming body after; close() releases
 * the app's iterable.
 */
import { RESOLVED, type ResponseSource, type RunOptions } from './app-response.js';
import { coreError, TsgiError } from './errors.js';
import { reportToErrors } from './errors-stream.js';
import { utf8Encoder } from './latin1.js';
import type { BodyChunk, Environ, ResponseBody } from './types.js';

const HIGH_WATER = 64 * 1024;

type AppIterator = Iterator<BodyChunk> | AsyncIterator<BodyChunk>;
/** One answer of the app's iterator: synchronous for a plain iterable, else a promise. */
export type AppResult = IteratorResult<BodyChunk> | PromiseLike<IteratorResult<BodyChunk>>;

export function toBytes(chunk: BodyChunk): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return utf8Encoder.encode(chunk);
  throw coreError('ERR_TSGI_CHUNK_TYPE', Object.prototype.toString.call(chunk));
}

export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}

/** An iterator whose next() reports `error` (the app failed after the headers went out). */
function failing(error: unknown): AsyncIterator<BodyChunk> {
  return {
    next() {
      return Promise.reject(error);
    },
  };
}

export class AppOutput implements ResponseSource {
  // `declare`d: the constructor assigns both (no field defined as undefined first).
  declare protected readonly environ: Environ;
  declare protected readonly options: RunOptions;
  /** Chunks from write() (and pulled before the commit) not yet handed to the transport. */
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  /** write() callers waiting for the transport to take the queue. */
  #drainWaiters: Array<() => void> | undefined;
  /** The streaming body, parked until a write() or the app's body arrives. */
  #wake: (() => void) | undefined;
  #body: ResponseBody | undefined;
  #iterator: AppIterator | undefined;
  /** The app's iterator said done. */
  #appDone = false;
  /** The app has returned its body and no pre-commit pull is in flight. */
  #settled = false;
  #closed = false;
  /** Body bytes handed to the transport, and the declared length they are held to. */
  #sent = 0;
  #limit: number | undefined;
  #error: unknown;

  constructor(environ: Environ, options: RunOptions) {
    this.environ = environ;
    this.options = options;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True once nothing more can arrive through write() alone: the app's body is known. */
  get settled(): boolean {
    return this.#settled;
  }

  /** The error that cut the response short, if any. */
  get error(): unknown {
    return this.#error;
  }

  get hasQueued(): boolean {
    return this.#queue.length > 0;
  }

  /** The declared length the body is held to (undefined: not held, e.g. HEAD and 204/304). */
  get limit(): number | undefined {
    return this.#limit;
  }

  holdTo(length: number | undefined): void {
    this.#limit = length;
  }

  /** Queues a non-empty chunk and wakes the streaming body. */
  append(bytes: Uint8Array): void {
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
    this.#wakeStream();
  }

  /** What write() returns: settled at once under the high-water mark, else once the queue is taken. */
  drained(): Promise<void> {
    if (this.#queuedBytes <= HIGH_WATER) return Promise.resolve();
    if (this.#drainWaiters === undefined) this.#drainWaiters = [];
    const waiters = this.#drainWaiters;
    return new Promise((resolve) => {
      waiters.push(resolve);
    });
  }

  /** Hands over the queue (a fresh array the caller may keep) and wakes blocked writers. */
  take(): Uint8Array[] {
    const waiters = this.#drainWaiters;
    if (this.#queue.length === 0 && waiters === undefined) return [];
    const q = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    if (waiters !== undefined) {
      this.#drainWaiters = undefined;
      for (const w of waiters) w();
    }
    return q;
  }

  /** Resolves when a write() queues a chunk or the app's body settles. */
  waitForMore(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
  }

  #wakeStream(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  settle(): void {
    this.#settled = true;
    this.#wakeStream();
  }

  /** Keeps the body the app returned, for close(). */
  adopt(body: ResponseBody): void {
    this.#body = body;
  }

  /** Opens the body's iterator (the app's code runs: it may throw). */
  open(body: ResponseBody): void {
    const b = body as Partial<AsyncIterable<BodyChunk> & Iterable<BodyChunk>>;
    this.#iterator = b[Symbol.asyncIterator] ? b[Symbol.asyncIterator]!() : b[Symbol.iterator]!();
  }

  /** The app failed after the headers went out: the next pull reports `error`. */
  failLater(error: unknown): void {
    this.#iterator = failing(error);
    this.#appDone = false;
  }

  /** The app's next result, or undefined when there is nothing more to ask it for. */
  pull(): AppResult | undefined {
    const it = this.#iterator;
    if (it === undefined || this.#appDone || this.#closed) return undefined;
    return it.next();
  }

  /** The app's iterator said done. */
  endOfApp(): void {
    this.#appDone = true;
  }

  /** Counts a chunk out, cut to the declared Content-Length (PEP 3333 "Handling the Content-Length Header"). */
  count(chunk: Uint8Array): Uint8Array {
    this.#sent += chunk.length;
    const limit = this.#limit;
    if (limit !== undefined && this.#sent > limit) {
      const keep = Math.max(0, chunk.length - (this.#sent - limit));
      if (!this.#error) {
        this.#error = coreError(
          'ERR_TSGI_CONTENT_LENGTH_MISMATCH',
          `declared ${limit}, produced more`,
        );
        reportToErrors(this.environ, this.#error, 'ERR_TSGI_CONTENT_LENGTH_MISMATCH');
      }
      this.#sent = limit;
      return chunk.subarray(0, keep);
    }
    return chunk;
  }

  /** Throws when the body ended short of its declared length (unless the response was closed). */
  checkEnd(): void {
    if (this.#limit !== undefined && this.#sent < this.#limit && !this.#closed) {
      throw coreError(
        'ERR_TSGI_CONTENT_LENGTH_MISMATCH',
        `declared ${this.#limit}, produced ${this.#sent}`,
      );
    }
  }

  /** Records the error that cut the response short and reports it to wsgi.errors and onError. */
  report(error: unknown, code: string): void {
    this.#error = error;
    reportToErrors(this.environ, error, code);
    this.options.onError?.(error, this.environ);
  }

  /** The error a failing body throws: the app's error wrapped, reported once. */
  failAfterHeaders(error: unknown): TsgiError {
    const wrapped =
      error instanceof TsgiError && error.code === 'ERR_TSGI_CONTENT_LENGTH_MISMATCH'
        ? error
        : coreError('ERR_TSGI_APP_ERROR_AFTER_HEADERS', undefined, error);
    this.report(error, wrapped.code);
    return wrapped;
  }

  close(): Promise<void> {
    if (this.#closed) return RESOLVED;
    this.#closed = true;
    if (this.#queue.length > 0 || this.#drainWaiters !== undefined) this.take();
    // A finished iterator needs no return() (a for-of that ends normally does not call it).
    const it = this.#appDone ? undefined : this.#iterator;
    const body = this.#body;
    // Nothing to release (an array body, the common case): no async step at all.
    if (typeof it?.return !== 'function' && typeof body?.close !== 'function') return RESOLVED;
    return this.#release(it, body);
  }

  async #release(it: AppIterator | undefined, body: ResponseBody | undefined): Promise<void> {
    try {
      if (it && typeof it.return === 'function') await it.return();
      if (body && typeof body.close === 'function') await body.close();
    } catch (error) {
      reportToErrors(this.environ, error, 'error in the body close()');
    }
  }
}
