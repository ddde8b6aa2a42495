/** toFetch(app): a TSGI app as a Fetch handler `(request, ...platformArgs) => Promise<Response>`. */
import { environFromRequest, type RequestEnvironOptions } from './environ.js';
import { type AppResponse, type RunOptions, runApp } from './run-app.js';
import { isNullBodyStatus } from './status.js';
import type { App } from './types.js';

export interface ToFetchOptions extends RunOptions {
  /** Mount point: this prefix of the URL path goes to SCRIPT_NAME, the rest to PATH_INFO. */
  scriptName?: string;
  /** Extra environ keys for each request, from the request and the platform's arguments. */
  environ?: (request: Request, ...platformArgs: never[]) => Record<string, unknown> | undefined;
  /** Other environ settings (errors stream, multiprocess flags). */
  environOptions?: Omit<RequestEnvironOptions, 'scriptName' | 'extra'>;
}

export type FetchHandler = (request: Request, ...platformArgs: never[]) => Promise<Response>;

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

/** Streams the body with backpressure: the app is asked for a chunk only when the reader wants one. */
function bodyStream(response: AppResponse): ReadableStream<Uint8Array> {
  const iterator = response.body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = await iterator.next();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await iterator.return?.();
        await response.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Turns a committed AppResponse into a Fetch Response. */
export function toResponse(response: AppResponse, isHead: boolean): Response {
  const headers = new Headers();
  for (const [name, value] of response.headers) headers.append(name, value);
  const init = { status: response.status, statusText: response.reason, headers };
  if (isHead || isNullBodyStatus(response.status)) {
    void response.close();
    return new Response(null, init);
  }
  if (response.complete) {
    void response.close();
    return new Response(response.chunks.length ? concat(response.chunks) : null, init);
  }
  return new Response(bodyStream(response), init);
}

/** Wraps a TSGI app as a Fetch handler (Workers, Deno, Bun, Hono's `mount`, node-server...). */
export function toFetch(app: App, options: ToFetchOptions = {}): FetchHandler {
  const { scriptName, environ: extra, environOptions } = options;
  return async (request: Request, ...platformArgs: never[]): Promise<Response> => {
    const environ = environFromRequest(request, {
      ...environOptions,
      ...(scriptName === undefined ? {} : { scriptName }),
      ...(extra ? { extra: extra(request, ...platformArgs) ?? {} } : {}),
    });
    const response = await runApp(app, environ, options);
    return toResponse(response, request.method === 'HEAD');
  };
}
