/** toFetch(app): a TSGI app as a Fetch handler `(request, ...platformArgs) => Promise<Response>`. */

import type { AppResponse, RunOptions } from './app-response.js';
import { environFromRequest, type RequestEnvironOptions } from './environ.js';
import { addWaitUntil, PendingWork, Startup } from './extensions.js';
import { startApp } from './run-app.js';
import { isNullBodyStatus } from './status.js';
import type { App, LifespanHooks } from './types.js';
import { whenReady } from './when-ready.js';

/** Options of toFetch: mount point, errors sink, start-up hook, and RunOptions. */
export interface ToFetchOptions extends RunOptions, Pick<LifespanHooks, 'startup'> {
  /** Mount point: this prefix of the URL path goes to SCRIPT_NAME, the rest to PATH_INFO. */
  scriptName?: string;
  /** The caller already cut `scriptName` off the URL (Hono's `mount` does): see RequestEnvironOptions. */
  pathStripped?: boolean;
  /** Extra environ keys for each request, from the request and the platform's arguments. */
  environ?: (request: Request, ...platformArgs: never[]) => Record<string, unknown> | undefined;
  /** Other environ settings (errors stream, multiprocess flags). */
  environOptions?: Omit<RequestEnvironOptions, 'scriptName' | 'pathStripped' | 'extra'>;
}

/** What toFetch returns: `(request, ...platformArgs) => Promise<Response>`. */
export type FetchHandler = (request: Request, ...platformArgs: unknown[]) => Promise<Response>;

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

type Step = IteratorResult<Uint8Array> | Promise<IteratorResult<Uint8Array>>;
type SteppingIterator = AsyncIterator<Uint8Array> & { step?: () => Step };

const NO_BUFFER = { highWaterMark: 0 };

function deliver(
  r: IteratorResult<Uint8Array>,
  controller: ReadableStreamDefaultController<Uint8Array>,
): void {
  if (r.done) controller.close();
  else controller.enqueue(r.value);
}

/** The Response body's source: one chunk per pull, so the app runs only as fast as the reader. */
class BodySource {
  readonly #response: AppResponse;
  readonly #iterator: SteppingIterator;

  constructor(response: AppResponse) {
    this.#response = response;
    this.#iterator = response.body[Symbol.asyncIterator]() as SteppingIterator;
  }

  pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> | undefined {
    let r: Step;
    try {
      // runApp's iterator can answer synchronously (step); any other goes through next().
      r = this.#iterator.step ? this.#iterator.step() : this.#iterator.next();
    } catch (error) {
      controller.error(error);
      return undefined;
    }
    if (r instanceof Promise) {
      return r.then(
        (result) => deliver(result, controller),
        (error: unknown) => controller.error(error),
      );
    }
    deliver(r, controller);
    return undefined;
  }

  async cancel(): Promise<void> {
    // The client went away. Close the app's iterable first: our iterator may be parked in an
    // await on the app, and its return() would only run once the app yields again.
    const closing = this.#response.close();
    void this.#iterator.return?.();
    await closing;
  }
}

/**
 * Turns a committed AppResponse into a Fetch Response. Its status is 200–599: startResponse
 * refuses the others (ERR_TSGI_STATUS_INVALID), which Fetch could not carry either.
 */
export function toResponse(response: AppResponse, isHead: boolean): Response {
  // statusText carries the reason phrase of the status line, the standard one included.
  const init: ResponseInit = { status: response.status, statusText: response.reason };
  let fetchResponse: Response;
  if (isHead || isNullBodyStatus(response.status)) {
    void response.close();
    fetchResponse = new Response(null, init);
  } else if (response.complete) {
    void response.close();
    fetchResponse = new Response(response.chunks.length ? concat(response.chunks) : null, init);
  } else {
    // Backpressure: the app is asked for a chunk only when the reader wants one.
    fetchResponse = new Response(new ReadableStream(new BodySource(response), NO_BUFFER), init);
  }
  // The app's pairs appended to the new Response: the same guard and checks as a `headers` init
  // (none of these bodies adds a Content-Type of its own), without the init's conversion of the
  // list into a copy (an iterator and an array per pair on Node).
  const target = fetchResponse.headers;
  const headers = response.headers;
  for (let i = 0; i < headers.length; i++) {
    const pair = headers[i]!;
    target.append(pair[0], pair[1]);
  }
  return fetchResponse;
}

/** Wraps a TSGI app as a Fetch handler (Workers, Deno, Bun, Hono's `mount`, node-server...). */
export function toFetch(app: App, options: ToFetchOptions = {}): FetchHandler {
  const { scriptName, pathStripped, environ: extra, environOptions } = options;
  // Built once: the per-request work is only what depends on the request.
  const base: RequestEnvironOptions = {
    ...environOptions,
    ...(scriptName === undefined ? {} : { scriptName }),
    ...(pathStripped === undefined ? {} : { pathStripped }),
  };
  const local = new PendingWork(() => {});
  const startup = new Startup(options.startup ? { startup: options.startup } : undefined);
  if (!extra && startup.ready) {
    // Nothing per request to add: no rest-argument array, no options object. The platform's
    // context, when there is one, is among the first two arguments after the request.
    return async (request: Request, a?: unknown, b?: unknown): Promise<Response> => {
      const environ = environFromRequest(request, base);
      addWaitUntil(environ, a, b, local);
      const started = startApp(app, environ, options);
      return whenReady(started, toResponse, environ.REQUEST_METHOD === 'HEAD');
    };
  }
  return async (request: Request, ...platformArgs: unknown[]): Promise<Response> => {
    const more = extra ? (extra(request, ...(platformArgs as never[])) ?? {}) : undefined;
    const environ = environFromRequest(request, more ? { ...base, extra: more } : base);
    addWaitUntil(environ, platformArgs[0], platformArgs[1], local);
    if (startup.ready) startup.addState(environ);
    else {
      const refused = await startup.wait(environ);
      if (refused) return toResponse(refused, environ.REQUEST_METHOD === 'HEAD');
    }
    const started = startApp(app, environ, options);
    return whenReady(started, toResponse, environ.REQUEST_METHOD === 'HEAD');
  };
}
