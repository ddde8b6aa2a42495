/**
 * Runs a TSGI app for one request and hands the transport a committed response: status and headers
 * are fixed at the first non-empty chunk (from the iterable or write()), or when the body ends empty.
 * Every transport (toFetch, the Lambda adapter, the gateway) drives apps through this one function,
 * so the PEP 3333 rules live in one place. The response shapes are in app-response.ts, the buffer
 * between app and transport in app-output.ts, the streamed body in streaming-body.ts.
 */

import { AppOutput, isThenable, toBytes } from './app-output.js';
import {
  type AppResponse,
  CompleteResponse,
  errorResponse,
  RESOLVED,
  type RunOptions,
  StreamingResponse,
} from './app-response.js';
import { coreError, TsgiError } from './errors.js';
import { ResponseState } from './start-response.js';
import { isNullBodyStatus, statusLine } from './status.js';
import { StreamingBody } from './streaming-body.js';
import type { BodyChunk, Environ, HeaderList, ResponseBody } from './types.js';

export type { AppResponse, RunOptions } from './app-response.js';
export { errorResponse } from './app-response.js';

type TsgiApp = (environ: Environ, startResponse: ResponseState['startResponse']) => unknown;

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
 * One call of the app and the commit of its response: status and headers go out with the first
 * non-empty chunk, or whole when the body ends first. It is the app's output too (one object per
 * request): the streamed body reads from it after the commit.
 */
class AppRun extends AppOutput {
  readonly #state: ResponseState;
  /** True until the response is committed. */
  #commit = true;
  /** The response, when it was committed before start() returned. */
  #committed: AppResponse | undefined;
  /** Resolves start()'s promise, once start() returned one. */
  #resolveLater: ((response: AppResponse) => void) | undefined;

  constructor(environ: Environ, options: RunOptions) {
    super(environ, options);
    this.#state = new ResponseState((chunk) => this.#write(chunk));
  }

  #write(chunk: BodyChunk): Promise<void> {
    const bytes = toBytes(chunk);
    if (this.closed) return Promise.resolve();
    if (bytes.length > 0) {
      this.append(bytes);
      if (this.#commit) this.#commitStreaming();
    }
    return this.drained();
  }

  /**
   * Calls the app. Returns the response itself when it was committed before the app returned
   * (an array body: the common case, no promise needed), else a promise of it. Never rejects.
   */
  start(app: TsgiApp): AppResponse | Promise<AppResponse> {
    let result: unknown;
    let threw = false;
    try {
      result = app(this.environ, this.#state.startResponse);
    } catch (error) {
      // Also right when a write() already committed: then the stream reports the error.
      threw = true;
      this.#afterAppError(error);
    }
    if (!threw) {
      if (typeof (result as Promise<unknown> | null)?.then === 'function') {
        (result as Promise<unknown>).then(
          (body) => this.#afterApp(body),
          (error) => this.#afterAppError(error),
        );
      } else {
        this.#afterApp(result);
      }
    }
    const committed = this.#committed;
    if (committed) {
      this.#committed = undefined;
      return committed;
    }
    return new Promise<AppResponse>((resolve) => {
      this.#resolveLater = resolve;
    });
  }

  /** Marks the response committed: it is about to be handed over with #deliver. */
  #takeCommit(): void {
    this.#commit = false;
  }

  /** Hands the committed response to start()'s caller (fields, not a closure per request). */
  #deliver(response: AppResponse): void {
    const resolve = this.#resolveLater;
    if (resolve) {
      this.#resolveLater = undefined;
      resolve(response);
    } else this.#committed = response;
  }

  /** The 500 for an error before the commit, reported; the app's iterable is released. */
  #fail(error: unknown): AppResponse {
    const reported =
      error instanceof TsgiError ? error : coreError('ERR_TSGI_APP_ERROR', undefined, error);
    this.report(error, reported.code);
    const response = errorResponse(error, this.options.debug);
    void this.close();
    return response;
  }

  /** The app, or the pull of its first chunk, failed: a 500 if nothing was committed yet. */
  #afterAppError(error: unknown): void {
    if (this.#commit) {
      this.#takeCommit();
      this.#deliver(this.#fail(error));
    } else {
      // Headers went out through write() before the app failed: the body iterator reports it.
      this.failLater(error);
      this.settle();
    }
  }

  /** Takes the app's body. Arrays commit synchronously (the hot path); iterables are pulled. */
  #afterApp(body: unknown): void {
    if (!isIterable(body)) {
      this.#afterAppError(coreError('ERR_TSGI_BODY_NOT_ITERABLE', typeof body));
      return;
    }
    this.adopt(body);
    if (!this.#commit) {
      // Already committed by write(): the stream continues with this body.
      this.open(body);
      this.settle();
      return;
    }
    if (Array.isArray(body)) {
      try {
        this.#commitArray(body);
      } catch (error) {
        this.#afterAppError(error);
      }
      return;
    }
    try {
      this.open(body);
    } catch (error) {
      this.#afterAppError(error);
      return;
    }
    this.#pullFirst();
  }

  /**
   * Pulls until the first non-empty chunk, so headers go out with real data (PEP 3333):
   * synchronously while the iterator answers synchronously, awaiting only real promises.
   */
  #pullFirst(): void {
    try {
      // Many empty chunks in a row: let the event loop breathe before going on.
      for (let spins = 0; spins < 64; spins++) {
        if (this.hasQueued) {
          this.settle();
          this.#commitStreaming();
          return;
        }
        const r = this.pull();
        if (r === undefined) return;
        if (isThenable(r)) {
          Promise.resolve(r).then(
            (result) => {
              try {
                if (this.#takeFirst(result)) this.#pullFirst();
              } catch (error) {
                this.#afterAppError(error);
              }
            },
            (error: unknown) => this.#afterAppError(error),
          );
          return;
        }
        if (!this.#takeFirst(r)) return;
      }
      void RESOLVED.then(() => this.#pullFirst());
    } catch (error) {
      this.#afterAppError(error);
    }
  }

  /** Handles one result before the commit; true when the next chunk is still needed. */
  #takeFirst(r: IteratorResult<BodyChunk>): boolean {
    if (r.done) this.endOfApp();
    if (!this.#commit) {
      // write() committed while we were pulling: keep the order, then let the stream go on.
      if (!r.done) {
        const bytes = toBytes(r.value);
        if (bytes.length > 0) this.append(bytes);
      }
      this.settle();
      return false;
    }
    if (r.done) {
      this.#commitComplete(this.take());
      return false;
    }
    const bytes = toBytes(r.value);
    if (bytes.length > 0 || this.hasQueued) {
      this.settle();
      this.#commitStreaming([bytes]);
      return false;
    }
    return true;
  }

  #bodyAllowed(): boolean {
    return this.environ.REQUEST_METHOD !== 'HEAD' && !isNullBodyStatus(this.#state.status);
  }

  #reason(): string {
    const state = this.#state;
    return state.reason || statusLine(state.status).slice(4);
  }

  /** Resolves runApp's promise with a response whose body is still being produced. */
  #commitStreaming(first: Uint8Array[] = []): void {
    const state = this.#state;
    if (!state.started) throw coreError('ERR_TSGI_NO_START_RESPONSE');
    state.sent = true;
    this.#takeCommit();
    const declared = declaredLength(state.headers);
    // HEAD and 204/304 answers declare the length of a body they do not carry.
    this.holdTo(this.#bodyAllowed() ? declared : undefined);
    const queued = this.take();
    const chunks =
      queued.length === 0 ? first : first.length === 0 ? queued : [...queued, ...first];
    this.#deliver(
      new StreamingResponse(
        state.status,
        this.#reason(),
        state.headers,
        declared,
        chunks,
        new StreamingBody(this, chunks),
        this,
      ),
    );
  }

  /** An array body is all in memory already: commit it whole, with its length. */
  #commitArray(body: BodyChunk[]): void {
    if (!this.hasQueued && body.length === 1) {
      // One chunk (the usual hello): an array of its exact size, not one grown by push(), and
      // no empty queue taken (nothing written means no writer waits on it either).
      const bytes = toBytes(body[0]!);
      this.#commitComplete(bytes.length > 0 ? [bytes] : []);
      return;
    }
    const chunks = this.take();
    for (const c of body) {
      const bytes = toBytes(c);
      if (bytes.length > 0) chunks.push(bytes);
    }
    this.#commitComplete(chunks);
  }

  #commitComplete(chunks: Uint8Array[]): void {
    const state = this.#state;
    if (!state.started) throw coreError('ERR_TSGI_NO_START_RESPONSE');
    state.sent = true;
    this.#takeCommit();
    let total = 0;
    for (const c of chunks) total += c.length;
    const allowed = this.#bodyAllowed();
    const headerLength = declaredLength(state.headers);
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
        this.#deliver(this.#fail(error));
        return;
      }
      this.report(error, 'ERR_TSGI_CONTENT_LENGTH_MISMATCH');
      out = truncate(chunks, declared);
    }
    this.#deliver(
      new CompleteResponse(
        state.status,
        this.#reason(),
        state.headers,
        out,
        headerLength ?? (allowed ? total : undefined),
        error,
        this,
      ),
    );
  }
}

/**
 * Calls `app` for `environ` and resolves when the response is committed. Errors before the commit
 * become a 500 response (logged to wsgi.errors); errors after it make `body` throw.
 */
export function runApp(
  app: TsgiApp,
  environ: Environ,
  options: RunOptions = {},
): Promise<AppResponse> {
  const started = new AppRun(environ, options).start(app);
  return started instanceof Promise ? started : Promise.resolve(started);
}

/**
 * runApp without the promise when the response is ready at once (an array body): transports
 * on a hot path use it to skip a microtask. Same contract otherwise.
 */
export function startApp(
  app: TsgiApp,
  environ: Environ,
  options: RunOptions = {},
): AppResponse | Promise<AppResponse> {
  return new AppRun(environ, options).start(app);
}
