/**
 * fromFetch(handler): a Fetch handler (a Hono app's `fetch`, for one) as a TSGI app. The handler
 * gets a Request built lazily from the environ (environ-request.ts); the Response's body goes
 * out as the bytes it was made from when they are at hand (response-source.ts), else streamed.
 */
import { isThenable } from './app-output.js';
import {
  abortRequest,
  type EnvironRequest,
  environRequest,
  requestHost,
  requestUrl,
} from './environ-request.js';
import { type ResponseParts, responseParts, responseSource } from './response-source.js';
import { HOP_BY_HOP } from './start-response.js';
import { statusLine } from './status.js';
import type { App, Environ, HeaderList, ResponseBody, StartResponse } from './types.js';

const encoder = new TextEncoder();

/** Any Fetch handler `(request, ...platformArgs)`: what fromFetch accepts (a Hono app's `fetch` fits). */
export type AnyFetchHandler = (request: Request, ...args: never[]) => Response | Promise<Response>;

/** Options of fromFetch: the extra arguments the handler gets after the Request. */
export interface FromFetchOptions {
  /** Arguments after the Request (default: `[cloudflare.env, cloudflare.ctx]` when present). */
  args?: (environ: Environ) => unknown[];
  /** Leave SCRIPT_NAME out of the Request URL, so the handler sees paths relative to its mount. */
  stripScriptName?: boolean;
}

const NO_BODY = new Set(['GET', 'HEAD']);

export { requestUrl };

/**
 * Builds a full Fetch Request from an environ at once; the body streams from wsgi.input.
 * (fromFetch uses the lazy one of environ-request.ts.)
 */
export function requestFromEnviron(environ: Environ, stripScriptName = false): Request {
  const headers = new Headers();
  for (const key in environ) {
    if (key.startsWith('HTTP_')) {
      const value = environ[key];
      if (typeof value === 'string')
        headers.set(key.slice(5).toLowerCase().replaceAll('_', '-'), value);
    }
  }
  if (environ.CONTENT_TYPE) headers.set('content-type', environ.CONTENT_TYPE);
  if (environ.CONTENT_LENGTH) headers.set('content-length', environ.CONTENT_LENGTH);
  const method = environ.REQUEST_METHOD;
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (
    !NO_BODY.has(method) &&
    (environ.CONTENT_LENGTH !== '0' || environ['wsgi.input_terminated'])
  ) {
    const iterator = environ['wsgi.input'][Symbol.asyncIterator]();
    init.body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const r = await iterator.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
    });
    init.duplex = 'half';
  }
  return new Request(requestUrl(environ, stripScriptName), init);
}

function defaultArgs(environ: Environ): unknown[] {
  if ('cloudflare.env' in environ) return [environ['cloudflare.env'], environ['cloudflare.ctx']];
  return [];
}

/**
 * Yields a Response body's chunks; stopping early (the server closed the response: the client
 * went away) cancels the stream and aborts the request's signal.
 */
function streamBody(body: ReadableStream<Uint8Array>, onClose: () => void): ResponseBody {
  return {
    [Symbol.asyncIterator]() {
      const reader = body.getReader();
      let done = false;
      return {
        async next() {
          const r = await reader.read();
          if (r.done) {
            done = true;
            return { done: true, value: undefined };
          }
          return { done: false, value: r.value };
        },
        async return() {
          if (!done) {
            done = true;
            onClose();
          }
          await reader.cancel();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** The response's header pairs: each Set-Cookie apart (last), hop-by-hop headers left to the server. */
function headerList(headers: Headers | ResponseParts['headers']): HeaderList {
  if (Array.isArray(headers)) return pairList(headers as readonly (readonly [string, string])[]);
  const out: HeaderList = [];
  const h = headers as Headers;
  h.forEach((value, name) => {
    if (name !== 'set-cookie' && !HOP_BY_HOP.has(name)) out.push([name, value]);
  });
  // Headers iteration joins nothing but Set-Cookie is read apart all the same: not every
  // runtime's forEach hands the values out one by one.
  if (h.has('set-cookie')) for (const cookie of h.getSetCookie()) out.push(['set-cookie', cookie]);
  return out;
}

/** headerList for a lightweight Response's pairs (sorted, lower-case names). */
function pairList(pairs: readonly (readonly [string, string])[]): HeaderList {
  // Sized up front (an array grown by push() starts with room for 16); fresh pairs, as a
  // middleware may change the list and a handler may answer with one Response again and again.
  const out: HeaderList = new Array(pairs.length);
  let n = 0;
  let cookies: string[] | undefined;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    const name = pair[0];
    const value = pair[1];
    if (name === 'set-cookie') {
      cookies ??= [];
      cookies.push(value);
    } else if (!HOP_BY_HOP.has(name)) out[n++] = [name, value];
  }
  if (cookies) for (const cookie of cookies) out[n++] = ['set-cookie', cookie];
  out.length = n;
  return out;
}

/** Status lines of statuses without a reason of their own, each made once (the same string). */
const STATUS_LINES = new Map<number, string>();

function lineOf(status: number, statusText: string): string {
  if (statusText) return statusLine(status, statusText);
  let line = STATUS_LINES.get(status);
  if (line === undefined) {
    line = statusLine(status);
    // Statuses are 200-599 here (a Response refuses others): the map stays small.
    STATUS_LINES.set(status, line);
  }
  return line;
}

/** The response written through startResponse: its body as bytes when at hand, else streamed. */
function respond(
  response: Response,
  request: EnvironRequest,
  environ: Environ,
  startResponse: StartResponse,
): ResponseBody {
  const isHead = environ.REQUEST_METHOD === 'HEAD';
  const parts = responseParts(response);
  if (parts) {
    startResponse(lineOf(parts.status, parts.statusText), headerList(parts.headers));
    const body = parts.body;
    if (body === null || isHead) return [];
    return [typeof body === 'string' ? encoder.encode(body) : body];
  }
  startResponse(lineOf(response.status, response.statusText), headerList(response.headers));
  const source = responseSource(response);
  if (source !== undefined) return source === null || isHead ? [] : [source];
  const body = response.body!;
  if (isHead) {
    // The handler may have produced a body anyway; release it rather than leave it pending.
    body.cancel().catch(() => {});
    return [];
  }
  return streamBody(body, () => abortRequest(request));
}

/** Wraps a Fetch handler as a TSGI app. */
export function fromFetch(handler: AnyFetchHandler, options: FromFetchOptions = {}): App {
  const { stripScriptName = false } = options;
  const argsOf = options.args ?? defaultArgs;
  return (environ, startResponse) => {
    // Checked before the handler runs: a router reading request.url would turn the throw into a 500.
    requestHost(environ);
    const request = environRequest(environ, stripScriptName);
    const args = argsOf(environ) as never[];
    const response = handler(request as unknown as Request, ...args);
    // A handler that answers at once (most Hono routes do) is answered without a promise hop.
    if (!isThenable(response)) return respond(response, request, environ, startResponse);
    return Promise.resolve(response).then((r) => respond(r, request, environ, startResponse));
  };
}
