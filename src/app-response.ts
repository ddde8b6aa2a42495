/**
 * The committed response a transport writes: its interface, and the two shapes it comes in (the
 * whole body in memory, or a body the app is still producing).
 */
import { statusOf } from './errors.js';
import { utf8Encoder } from './latin1.js';
import { statusLine } from './status.js';
import type { Environ, HeaderList } from './types.js';

/** Options every server and adapter passes to runApp: `debug` (stacks in 500 bodies) and `onError` (told of every app error). */
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

/** What a response keeps of the run that produced it: the error so far, and the app to release. */
export interface ResponseSource {
  readonly error: unknown;
  close(): Promise<void>;
}

/** A settled promise to hand out when there is nothing to wait for (no allocation per call). */
export const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A response whose whole body is known (a class: one shape, no per-request closures). Fields are
 * `declare`d: the constructor assigns each one, so none is first defined as undefined (less work
 * per response, fewer bytes in a bundle).
 */
export class CompleteResponse implements AppResponse {
  declare readonly statusLine: string;
  readonly complete = true;
  declare readonly status: number;
  declare readonly reason: string;
  declare readonly headers: HeaderList;
  declare readonly chunks: Uint8Array[];
  declare readonly contentLength: number | undefined;
  declare readonly error: unknown;
  readonly #source: ResponseSource | undefined;
  constructor(
    status: number,
    reason: string,
    headers: HeaderList,
    chunks: Uint8Array[],
    contentLength: number | undefined,
    error: unknown,
    source?: ResponseSource,
  ) {
    this.status = status;
    this.reason = reason;
    this.headers = headers;
    this.chunks = chunks;
    this.contentLength = contentLength;
    this.error = error;
    this.statusLine = `${status} ${reason}`;
    this.#source = source;
  }
  /** Made when asked for: a Fetch transport reads `chunks` and never iterates. */
  get body(): AsyncIterable<Uint8Array> {
    const chunks = this.chunks;
    return {
      async *[Symbol.asyncIterator]() {
        yield* chunks;
      },
    };
  }
  close(): Promise<void> {
    return this.#source ? this.#source.close() : RESOLVED;
  }
}

/** A response whose body is still being produced: `body` pulls from the app on demand (fields as above). */
export class StreamingResponse implements AppResponse {
  declare readonly status: number;
  declare readonly reason: string;
  declare readonly statusLine: string;
  declare readonly headers: HeaderList;
  declare readonly contentLength: number | undefined;
  readonly complete = false;
  declare readonly chunks: readonly Uint8Array[];
  declare readonly body: AsyncIterable<Uint8Array>;
  readonly #source: ResponseSource;
  constructor(
    status: number,
    reason: string,
    headers: HeaderList,
    contentLength: number | undefined,
    chunks: Uint8Array[],
    body: AsyncIterable<Uint8Array>,
    source: ResponseSource,
  ) {
    this.#source = source;
    this.status = status;
    this.reason = reason;
    this.statusLine = `${status} ${reason}`;
    this.headers = headers;
    this.contentLength = contentLength;
    this.chunks = chunks;
    this.body = body;
  }
  get error(): unknown {
    return this.#source.error;
  }
  close(): Promise<void> {
    return this.#source.close();
  }
}

/** The response for an error raised before the headers were sent. */
export function errorResponse(error: unknown, debug = false): AppResponse {
  const status = statusOf(error);
  const reasonText = statusLine(status);
  const text = debug
    ? `${reasonText}\n\n${(error as Error)?.stack ?? String(error)}\n`
    : `${reasonText}\n`;
  const bytes = utf8Encoder.encode(text);
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
