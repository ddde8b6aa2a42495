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
  return completeResponse(
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

function completeResponse(
  status: number,
  reason: string,
  headers: HeaderList,
  chunks: Uint8Array[],
  contentLength: number | undefined,
  error: unknown,
  close: () => Promise<void> = async () => {},
): AppResponse {
  return {
    status,
    reason,
    statusLine: `${status} ${reason}`,
    headers,
    contentLength,
    complete: true,
    chunks,
    error,
    body: {
      async *[Symbol.asyncIterator]() {
        yield* chunks;
      },
    },
    close,
  };
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

  takeQueue(): Uint8Array[] {
    const q = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
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
    const chunks = [...this.takeQueue(), ...first];
    const pump = this;
    resolve({
      status: this.state.status,
      reason: this.state.reason || statusLine(this.state.status).slice(4),
      statusLine: statusLine(this.state.status, this.state.reason),
      headers: this.state.headers,
      contentLength: this.declared,
      complete: false,
      chunks,
      get error() {
        return pump.error;
      },
      body: { [Symbol.asyncIterator]: () => this.stream(chunks) },
      close: () => this.close(),
    });
  }

  async *stream(first: Uint8Array[]): AsyncGenerator<Uint8Array> {
    try {
      for (const c of first) yield this.limit(c);
      for (;;) {
        if (this.queue.length > 0) {
          for (const c of this.takeQueue()) yield this.limit(c);
          continue;
        }
        if (!this.settled) {
          // The app is still running (it committed through write()): wait for more writes or its body.
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          continue;
        }
        if (!this.iterator) break;
        const r = await this.iterator.next();
        if (this.queue.length > 0) for (const c of this.takeQueue()) yield this.limit(c);
        if (r.done) break;
        const bytes = toBytes(r.value);
        if (bytes.length > 0) yield this.limit(bytes);
      }
      if (this.limited !== undefined && this.sent < this.limited) {
        throw coreError(
          'ERR_TSGI_CONTENT_LENGTH_MISMATCH',
          `declared ${this.limited}, produced ${this.sent}`,
        );
      }
    } catch (error) {
      this.error = error;
      const wrapped =
        error instanceof TsgiError && error.code === 'ERR_TSGI_CONTENT_LENGTH_MISMATCH'
          ? error
          : coreError('ERR_TSGI_APP_ERROR_AFTER_HEADERS', undefined, error);
      logError(this.environ, error, wrapped.code);
      this.options.onError?.(error, this.environ);
      throw wrapped;
    } finally {
      await this.close();
    }
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.takeQueue();
    const it = this.iterator;
    const body = this.body;
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

  run(app: (e: Environ, s: ResponseState['startResponse']) => unknown): Promise<AppResponse> {
    return new Promise<AppResponse>((resolve) => {
      this.commit = resolve;
      let result: unknown;
      try {
        result = app(this.environ, this.state.startResponse);
      } catch (error) {
        this.commit = undefined;
        resolve(this.fail(error));
        return;
      }
      if (typeof (result as Promise<unknown> | null)?.then === 'function') {
        (result as Promise<unknown>).then(
          (body) => this.afterApp(body),
          (error) => this.afterAppError(error),
        );
      } else {
        void this.afterApp(result);
      }
    });
  }

  afterAppError(error: unknown): void {
    if (this.commit) {
      const resolve = this.commit;
      this.commit = undefined;
      resolve(this.fail(error));
    } else {
      // Headers went out through write() before the app failed: the body iterator reports it.
      this.iterator = {
        next: () => Promise.reject(error),
      };
      this.markSettled();
    }
  }

  async afterApp(body: unknown): Promise<void> {
    if (!isIterable(body)) {
      return this.afterAppError(coreError('ERR_TSGI_BODY_NOT_ITERABLE', typeof body));
    }
    this.body = body;
    if (!this.commit) {
      // Already committed by write(): the stream continues with this body.
      this.iterator = this.openIterator(body);
      this.markSettled();
      return;
    }
    try {
      if (Array.isArray(body)) return this.commitArray(body);
      this.iterator = this.openIterator(body);
      // Pull until the first non-empty chunk, so headers go out with real data (PEP 3333).
      for (;;) {
        if (this.queue.length > 0) {
          this.settled = true;
          return this.commitStreaming();
        }
        const r = await this.iterator.next();
        if (!this.commit) {
          // write() committed while we were pulling: keep the order, then let the stream go on.
          if (r.done) this.iterator = undefined;
          else this.pushPending(toBytes(r.value));
          return this.markSettled();
        }
        if (r.done) return this.commitComplete();
        const bytes = toBytes(r.value);
        if (bytes.length > 0 || this.queue.length > 0) {
          this.settled = true;
          return this.commitStreaming([bytes]);
        }
      }
    } catch (error) {
      if (this.commit) {
        const resolve = this.commit;
        this.commit = undefined;
        resolve(this.fail(error));
      } else {
        this.iterator = { next: () => Promise.reject(error) };
        this.markSettled();
      }
    }
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
    const declared = this.bodyAllowed() ? declaredLength(this.state.headers) : undefined;
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
      completeResponse(
        this.state.status,
        this.state.reason || statusLine(this.state.status).slice(4),
        this.state.headers,
        out,
        declaredLength(this.state.headers) ?? (this.bodyAllowed() ? total : undefined),
        error,
        () => this.close(),
      ),
    );
  }
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
  const pump = new Pump(environ, options);
  return pump.run(app).catch((error) => pump.fail(error));
}
