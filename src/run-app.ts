/**
 * Runs a TSGI app for one request and hands the transport a committed response: status and headers
 * are fixed at the first non-empty chunk (from the iterable or write()), or when the body ends empty.
 * Every transport (toFetch, the Lambda adapter, the gateway) drives apps through this one function,
 * so the PEP 3333 rules live in one place.
 */
import { coreError, statusOf, TsgiError } from './errors.js';
import { ResponseState } from './start-response.js';
import { isNullBodyStatus, statusLine } from './status.js';
import type { BodyChunk, Environ, HeaderList, ResponseBody } from './types.js';

export interface RunOptions {
  /** Put the error's stack in 500 bodies (development only). */
  debug?: boolean;
  /** Called for every app error (before or after headers), after it was logged to wsgi.errors. */
  onError?: (error: unknown, environ: Environ) => void;
}

/** A committed response. Iterate `body` (or read `chunks` when `complete`), then always call close(). */
export interface AppResponse {
  readonly status: number;
  readonly reason: string;
  /** `'200 OK'` */
  readonly statusLine: string;
  readonly headers: HeaderList;
  /** Known byte length: declared by the app, or counted when the whole body was known up front. */
  readonly contentLength: number | undefined;
  /** True when `chunks` holds the whole body, so a transport can write it in one go. */
  readonly complete: boolean;
  /** The chunks produced so far (all of them when `complete`). `body` yields these first. */
  readonly chunks: readonly Uint8Array[];
  /** The whole body: `chunks`, then the rest as the app produces it. Throws if the app fails mid-body. */
  readonly body: AsyncIterable<Uint8Array>;
  /** The error that produced this response or cut it short, if any. */
  readonly error: unknown;
  /** Releases the app's iterable (its close()/return()). Idempotent; call it on completion and on abort. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const HIGH_WATER = 64 * 1024;

function toBytes(chunk: BodyChunk): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return encoder.encode(chunk);
  throw coreError('ERR_TSGI_CHUNK_TYPE', Object.prototype.toString.call(chunk));
}

function isIterable(body: unknown): body is ResponseBody {
  if (body === null || body === undefined) return false;
  if (typeof body === 'string' || body instanceof Uint8Array) return false;
  const b = body as Record<symbol, unknown>;
  return typeof b[Symbol.iterator] === 'function' || typeof b[Symbol.asyncIterator] === 'function';
}

function declaredLength(headers: HeaderList): number | undefined {
  for (const [name, value] of headers) {
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      const n = Number(value);
      return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
    }
  }
  return undefined;
}

function logError(environ: Environ, error: unknown, what: string): void {
  const e = error as { stack?: string; code?: string };
  const method = environ.REQUEST_METHOD;
  const path = `${environ.SCRIPT_NAME ?? ''}${environ.PATH_INFO ?? ''}`;
  try {
    environ['wsgi.errors'].write(`${what} (${method} ${path}): ${e?.stack ?? String(error)}\n`);
    environ['wsgi.errors'].flush();
  } catch {
    // A broken error stream must not hide the response.
  }
}

/** The response for an error raised before the headers were sent. */
export function errorResponse(error: unknown, debug = false): AppResponse {
  const status = statusOf(error);
  const reasonText = statusLine(status);
  const text = debug
    ? `${reasonText}\n\n${(error as Error)?.stack ?? String(error)}\n`
    : `${reasonText}\n`;
  const bytes = encoder.encode(text);
  return new CompleteResponse(
    status,
    reasonText.slice(4),
    [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Content-Length', String(bytes.length)],
    ],
    [bytes],
    bytes.length,
    error,
  );
}

/** The body of a response held whole in memory. */
class ChunksBody implements AsyncIterable<Uint8Array> {
  readonly chunks: readonly Uint8Array[];
  constructor(chunks: readonly Uint8Array[]) {
    this.chunks = chunks;
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    yield* this.chunks;
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

/** A response whose whole body is known (a class: one shape, no per-request closures). */
class CompleteResponse implements AppResponse {
  readonly statusLine: string;
  readonly complete = true;
  readonly body: AsyncIterable<Uint8Array>;
  readonly status: number;
  readonly reason: string;
  readonly headers: HeaderList;
  readonly chunks: Uint8Array[];
  readonly contentLength: number | undefined;
  readonly error: unknown;
  readonly #pump: Pump | undefined;
  constructor(
    status: number,
    reason: string,
    headers: HeaderList,
    chunks: Uint8Array[],
    contentLength: number | undefined,
    error: unknown,
    pump?: Pump,
  ) {
    this.status = status;
    this.reason = reason;
    this.headers = headers;
    this.chunks = chunks;
    this.contentLength = contentLength;
    this.error = error;
    this.statusLine = `${status} ${reason}`;
    this.body = new ChunksBody(chunks);
    this.#pump = pump;
  }
  close(): Promise<void> {
    return this.#pump ? this.#pump.close() : RESOLVED;
  }
}

/** A response whose body is still being produced: `body` pulls from the app on demand. */
class StreamingResponse implements AppResponse {
  readonly status: number;
  readonly reason: string;
  readonly statusLine: string;
  readonly headers: HeaderList;
  readonly contentLength: number | undefined;
  readonly complete = false;
  readonly chunks: readonly Uint8Array[];
  readonly body: AsyncIterable<Uint8Array>;
  readonly #pump: Pump;
  constructor(pump: Pump, chunks: Uint8Array[]) {
    const state = pump.state;
    this.#pump = pump;
    this.status = state.status;
    this.reason = state.reason || statusLine(state.status).slice(4);
    this.statusLine = `${state.status} ${this.reason}`;
    this.headers = state.headers;
    this.contentLength = pump.declared;
    this.chunks = chunks;
    this.body = new StreamBody(pump, chunks);
  }
  get error(): unknown {
    return this.#pump.error;
  }
  close(): Promise<void> {
    return this.#pump.close();
  }
}

class StreamBody implements AsyncIterable<Uint8Array> {
  readonly #pump: Pump;
  readonly #chunks: Uint8Array[];
  constructor(pump: Pump, chunks: Uint8Array[]) {
    this.#pump = pump;
    this.#chunks = chunks;
  }
  [Symbol.asyncIterator](): StreamIterator {
    return new StreamIterator(this.#pump, this.#chunks);
  }
}

/** Per-request driver: the write() queue, the app's iterator, the commit, and close(). */
class Pump {
  readonly state: ResponseState;
  readonly environ: Environ;
  readonly options: RunOptions;
  /** Chunks from write() not yet handed to the transport. */
  queue: Uint8Array[] = [];
  queuedBytes = 0;
  drainWaiters: Array<() => void> = [];
  body: ResponseBody | undefined;
  iterator: Iterator<BodyChunk> | AsyncIterator<BodyChunk> | undefined;
  closed = false;
  /** The app's iterator said done. */
  iteratorDone = false;
  commit: ((response: AppResponse) => void) | undefined;
  /** True once the app has returned its body and no pre-commit pull is in flight. */
  settled = false;
  wake: (() => void) | undefined;
  sent = 0;
  declared: number | undefined;
  /** The declared length the body is held to (undefined for HEAD and 204/304). */
  limited: number | undefined;
  error: unknown;

  constructor(environ: Environ, options: RunOptions) {
    this.environ = environ;
    this.options = options;
    this.state = new ResponseState((chunk) => this.write(chunk));
  }

  write(chunk: BodyChunk): Promise<void> {
    const bytes = toBytes(chunk);
    if (this.closed) return Promise.resolve();
    if (bytes.length > 0) {
      this.queue.push(bytes);
      this.queuedBytes += bytes.length;
      if (!this.state.sent && this.commit) this.commitStreaming();
      this.wakeStream();
    }
    if (this.queuedBytes <= HIGH_WATER) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  wakeStream(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  markSettled(): void {
    this.settled = true;
    this.wakeStream();
  }

  /** Hands over the write() queue (a fresh array the caller may keep) and wakes blocked writers. */
  takeQueue(): Uint8Array[] {
    if (this.queue.length === 0 && this.drainWaiters.length === 0) return [];
    const q = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    const waiters = this.drainWaiters;
    if (waiters.length > 0) {
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
    return q;
  }

  /** Resolves runApp's promise with a response whose body is still being produced. */
  commitStreaming(first: Uint8Array[] = []): void {
    if (!this.state.started) throw coreError('ERR_TSGI_NO_START_RESPONSE');
    this.state.sent = true;
    const resolve = this.commit!;
    this.commit = undefined;
    this.declared = declaredLength(this.state.headers);
    // HEAD and 204/304 answers declare the length of a body they do not carry.
    this.limited = this.bodyAllowed() ? this.declared : undefined;
    const queued = this.takeQueue();
    const chunks =
      queued.length === 0 ? first : first.length === 0 ? queued : [...queued, ...first];
    resolve(new StreamingResponse(this, chunks));
  }

  /** Never send more than a declared Content-Length (PEP 3333 "Handling the Content-Length Header"). */
  limit(chunk: Uint8Array): Uint8Array {
    this.sent += chunk.length;
    if (this.limited !== undefined && this.sent > this.limited) {
      const keep = Math.max(0, chunk.length - (this.sent - this.limited));
      if (!this.error) {
        this.error = coreError(
          'ERR_TSGI_CONTENT_LENGTH_MISMATCH',
          `declared ${this.limited}, produced more`,
        );
        logError(this.environ, this.error, 'ERR_TSGI_CONTENT_LENGTH_MISMATCH');
      }
      this.sent = this.limited;
      return chunk.subarray(0, keep);
    }
    return chunk;
  }

  close(): Promise<void> {
    if (this.closed) return RESOLVED;
    this.closed = true;
    if (this.queue.length > 0 || this.drainWaiters.length > 0) this.takeQueue();
    // A finished iterator needs no return() (a for-of that ends normally does not call it).
    const it = this.iteratorDone ? undefined : this.iterator;
    const body = this.body;
    // Nothing to release (an array body, the common case): no async step at all.
    if (typeof it?.return !== 'function' && typeof body?.close !== 'function') return RESOLVED;
    return this.release(it, body);
  }

  async release(
    it: Iterator<BodyChunk> | AsyncIterator<BodyChunk> | undefined,
    body: ResponseBody | undefined,
  ): Promise<void> {
    try {
      if (it && typeof it.return === 'function') await it.return();
      if (body && typeof body.close === 'function') await body.close();
    } catch (error) {
      logError(this.environ, error, 'error in the body close()');
    }
  }

  fail(error: unknown): AppResponse {
    this.error = error;
    const reported =
      error instanceof TsgiError ? error : coreError('ERR_TSGI_APP_ERROR', undefined, error);
    logError(this.environ, error, reported.code);
    this.options.onError?.(error, this.environ);
    const response = errorResponse(error, this.options.debug);
    void this.close();
    return response;
  }

  /**
   * Calls the app. Returns the response itself when it was committed before the app returned
   * (an array body: the common case, no promise needed), else a promise of it. Never rejects.
   */
  start(
    app: (e: Environ, s: ResponseState['startResponse']) => unknown,
  ): AppResponse | Promise<AppResponse> {
    let committed: AppResponse | undefined;
    let resolveLater: ((response: AppResponse) => void) | undefined;
    this.commit = (response) => {
      if (resolveLater) resolveLater(response);
      else committed = response;
    };
    let result: unknown;
    let threw = false;
    try {
      result = app(this.environ, this.state.startResponse);
    } catch (error) {
      // Also right when a write() already committed: then the stream reports the error.
      threw = true;
      this.afterAppError(error);
    }
    if (!threw) {
      if (typeof (result as Promise<unknown> | null)?.then === 'function') {
        (result as Promise<unknown>).then(
          (body) => this.afterApp(body),
          (error) => this.afterAppError(error),
        );
      } else {
        this.afterApp(result);
      }
    }
    if (committed) return committed;
    return new Promise<AppResponse>((resolve) => {
      resolveLater = resolve;
    });
  }

  /** The app, or the pull of its first chunk, failed: a 500 if nothing was committed yet. */
  afterAppError(error: unknown): void {
    if (this.commit) {
      const resolve = this.commit;
      this.commit = undefined;
      resolve(this.fail(error));
    } else {
      // Headers went out through write() before the app failed: the body iterator reports it.
      this.iterator = failing(error);
      this.markSettled();
    }
  }

  /** Takes the app's body. Arrays commit synchronously (the hot path); iterables are pulled. */
  afterApp(body: unknown): void {
    if (!isIterable(body)) {
      this.afterAppError(coreError('ERR_TSGI_BODY_NOT_ITERABLE', typeof body));
      return;
    }
    this.body = body;
    if (!this.commit) {
      // Already committed by write(): the stream continues with this body.
      this.iterator = this.openIterator(body);
      this.markSettled();
      return;
    }
    if (Array.isArray(body)) {
      try {
        this.commitArray(body);
      } catch (error) {
        this.afterAppError(error);
      }
      return;
    }
    void this.pullFirst(body);
  }

  /** Pulls until the first non-empty chunk, so headers go out with real data (PEP 3333). */
  pullFirst(body: ResponseBody): void {
    try {
      this.iterator = this.openIterator(body);
    } catch (error) {
      this.afterAppError(error);
      return;
    }
    this.pullFirstLoop();
  }

  /** Pulls synchronously while the iterator answers synchronously; awaits only real promises. */
  pullFirstLoop(): void {
    try {
      // Many empty chunks in a row: let the event loop breathe before going on.
      for (let spins = 0; spins < 64; spins++) {
        if (this.queue.length > 0) {
          this.settled = true;
          this.commitStreaming();
          return;
        }
        const r = this.iterator!.next();
        if (isThenable(r)) {
          Promise.resolve(r).then(
            (result) => {
              try {
                if (this.takeFirst(result)) this.pullFirstLoop();
              } catch (error) {
                this.afterAppError(error);
              }
            },
            (error: unknown) => this.afterAppError(error),
          );
          return;
        }
        if (!this.takeFirst(r)) return;
      }
      void RESOLVED.then(() => this.pullFirstLoop());
    } catch (error) {
      this.afterAppError(error);
    }
  }

  /** Handles one result before the commit; true when the next chunk is still needed. */
  takeFirst(r: IteratorResult<BodyChunk>): boolean {
    if (r.done) this.iteratorDone = true;
    if (!this.commit) {
      // write() committed while we were pulling: keep the order, then let the stream go on.
      if (r.done) this.iterator = undefined;
      else this.pushPending(toBytes(r.value));
      this.markSettled();
      return false;
    }
    if (r.done) {
      this.commitComplete();
      return false;
    }
    const bytes = toBytes(r.value);
    if (bytes.length > 0 || this.queue.length > 0) {
      this.settled = true;
      this.commitStreaming([bytes]);
      return false;
    }
    return true;
  }

  bodyAllowed(): boolean {
    return this.environ.REQUEST_METHOD !== 'HEAD' && !isNullBodyStatus(this.state.status);
  }

  pushPending(bytes: Uint8Array): void {
    if (bytes.length > 0) {
      this.queue.push(bytes);
      this.queuedBytes += bytes.length;
    }
  }

  openIterator(body: ResponseBody): Iterator<BodyChunk> | AsyncIterator<BodyChunk> {
    const b = body as Partial<AsyncIterable<BodyChunk> & Iterable<BodyChunk>>;
    return b[Symbol.asyncIterator] ? b[Symbol.asyncIterator]!() : b[Symbol.iterator]!();
  }

  /** An array body is all in memory already: commit it whole, with its length. */
  commitArray(body: BodyChunk[]): void {
    const chunks = this.takeQueue();
    for (const c of body) {
      const bytes = toBytes(c);
      if (bytes.length > 0) chunks.push(bytes);
    }
    this.finishComplete(chunks);
  }

  commitComplete(): void {
    this.finishComplete(this.takeQueue());
  }

  finishComplete(chunks: Uint8Array[]): void {
    if (!this.state.started) throw coreError('ERR_TSGI_NO_START_RESPONSE');
    this.state.sent = true;
    const resolve = this.commit!;
    this.commit = undefined;
    let total = 0;
    for (const c of chunks) total += c.length;
    const allowed = this.bodyAllowed();
    const headerLength = declaredLength(this.state.headers);
    const declared = allowed ? headerLength : undefined;
    let out = chunks;
    let error: unknown;
    if (declared !== undefined && declared !== total) {
      error = coreError(
        'ERR_TSGI_CONTENT_LENGTH_MISMATCH',
        `declared ${declared}, produced ${total}`,
      );
      if (total < declared) {
        // Nothing went out yet, and a short body would leave the client waiting: answer 500.
        resolve(this.fail(error));
        return;
      }
      logError(this.environ, error, 'ERR_TSGI_CONTENT_LENGTH_MISMATCH');
      this.options.onError?.(error, this.environ);
      out = truncate(chunks, declared);
    }
    resolve(
      new CompleteResponse(
        this.state.status,
        this.state.reason || statusLine(this.state.status).slice(4),
        this.state.headers,
        out,
        headerLength ?? (allowed ? total : undefined),
        error,
        this,
      ),
    );
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The streaming body: chunks from write() and the app's iterable, in order, each handed over
 * before the next is asked for. A hand-written iterator rather than an async generator: it skips
 * a microtask per chunk when the app's iterable is synchronous. It closes the app when the body
 * ends, fails or is abandoned (return()).
 */
export class StreamIterator implements AsyncIterator<Uint8Array> {
  readonly #pump: Pump;
  #pending: Uint8Array[];
  #index = 0;
  #exhausted = false;
  #done = false;

  constructor(pump: Pump, first: Uint8Array[]) {
    this.#pump = pump;
    this.#pending = first;
  }

  #refill(): void {
    this.#pending = this.#pump.takeQueue();
    this.#index = 0;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    return this.step();
  }

  /**
   * The next chunk, synchronously when it can be had without waiting (queued chunks, a
   * synchronous iterable), else a promise. toFetch's stream uses it to skip a promise per chunk.
   */
  step(): IteratorResult<Uint8Array> | Promise<IteratorResult<Uint8Array>> {
    if (this.#done) return DONE;
    const pump = this.#pump;
    try {
      for (;;) {
        if (this.#index < this.#pending.length) {
          return { done: false, value: pump.limit(this.#pending[this.#index++]!) };
        }
        if (pump.queue.length > 0) {
          this.#refill();
          continue;
        }
        if (!pump.settled) {
          // The app is still running (it committed through write()): wait for writes or its body.
          return new Promise<void>((resolve) => {
            pump.wake = resolve;
          }).then(() => this.step());
        }
        const it = pump.iterator;
        if (!it || this.#exhausted || pump.closed) break;
        const r = it.next();
        if (isThenable(r)) {
          return Promise.resolve(r).then(
            (result) => {
              try {
                this.#take(result);
              } catch (error) {
                return this.#fail(error);
              }
              return this.step();
            },
            (error: unknown) => this.#fail(error),
          );
        }
        this.#take(r);
      }
      if (pump.limited !== undefined && pump.sent < pump.limited && !pump.closed) {
        throw coreError(
          'ERR_TSGI_CONTENT_LENGTH_MISMATCH',
          `declared ${pump.limited}, produced ${pump.sent}`,
        );
      }
    } catch (error) {
      return this.#fail(error);
    }
    this.#done = true;
    const closing = pump.close();
    return closing === RESOLVED ? DONE : closing.then(() => DONE);
  }

  /** Files what the app's iterator gave: chunks written meanwhile first, then its chunk. */
  #take(r: IteratorResult<BodyChunk>): void {
    this.#refill();
    if (r.done) {
      this.#exhausted = true;
      this.#pump.iteratorDone = true;
      return;
    }
    const bytes = toBytes(r.value);
    if (bytes.length > 0) this.#pending.push(bytes);
  }

  async #fail(error: unknown): Promise<never> {
    this.#done = true;
    const pump = this.#pump;
    pump.error = error;
    const wrapped =
      error instanceof TsgiError && error.code === 'ERR_TSGI_CONTENT_LENGTH_MISMATCH'
        ? error
        : coreError('ERR_TSGI_APP_ERROR_AFTER_HEADERS', undefined, error);
    logError(pump.environ, error, wrapped.code);
    pump.options.onError?.(error, pump.environ);
    await pump.close();
    throw wrapped;
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.#done = true;
    await this.#pump.close();
    return DONE;
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
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

function truncate(chunks: Uint8Array[], length: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = length;
  for (const c of chunks) {
    if (left <= 0) break;
    out.push(c.length <= left ? c : c.subarray(0, left));
    left -= c.length;
  }
  return out;
}

/**
 * Calls `app` for `environ` and resolves when the response is committed. Errors before the commit
 * become a 500 response (logged to wsgi.errors); errors after it make `body` throw.
 */
export function runApp(
  app: (environ: Environ, startResponse: ResponseState['startResponse']) => unknown,
  environ: Environ,
  options: RunOptions = {},
): Promise<AppResponse> {
  const started = new Pump(environ, options).start(app);
  return started instanceof Promise ? started : Promise.resolve(started);
}

/**
 * runApp without the promise when the response is ready at once (an array body): transports
 * on a hot path use it to skip a microtask. Same contract otherwise.
 */
export function startApp(
  app: (environ: Environ, startResponse: ResponseState['startResponse']) => unknown,
  environ: Environ,
  options: RunOptions = {},
): AppResponse | Promise<AppResponse> {
  return new Pump(environ, options).start(app);
}
