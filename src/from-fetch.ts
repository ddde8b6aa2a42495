/** fromFetch(handler): a Fetch handler (a Hono app's `fetch`, for one) as a TSGI app. */

import { percentEncodeLatin1Path } from './latin1.js';
import { HOP_BY_HOP } from './start-response.js';
import { statusLine } from './status.js';
import type { App, Environ, HeaderList, ResponseBody } from './types.js';

export type AnyFetchHandler = (request: Request, ...args: never[]) => Response | Promise<Response>;

export interface FromFetchOptions {
  /** Arguments after the Request (default: `[cloudflare.env, cloudflare.ctx]` when present). */
  args?: (environ: Environ) => unknown[];
  /** Leave SCRIPT_NAME out of the Request URL, so the handler sees paths relative to its mount. */
  stripScriptName?: boolean;
}

const NO_BODY = new Set(['GET', 'HEAD']);

/** Rebuilds the request URL from the environ (PEP 3333 "URL Reconstruction"). */
export function requestUrl(environ: Environ, stripScriptName = false): string {
  const scheme = environ['wsgi.url_scheme'];
  let host = environ.HTTP_HOST;
  if (!host) {
    const port = environ.SERVER_PORT;
    const defaultPort = scheme === 'https' ? '443' : '80';
    const name = environ.SERVER_NAME.includes(':')
      ? `[${environ.SERVER_NAME}]`
      : environ.SERVER_NAME;
    host = port && port !== defaultPort ? `${name}:${port}` : name;
  }
  const path =
    `${stripScriptName ? '' : environ.SCRIPT_NAME || ''}${environ.PATH_INFO || ''}` || '/';
  const query = environ.QUERY_STRING ? `?${environ.QUERY_STRING}` : '';
  return `${scheme}://${host}${percentEncodeLatin1Path(path)}${query}`;
}

/** Builds a Fetch Request from an environ; the body streams from wsgi.input. */
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

/** Yields a Response body's chunks; stopping early cancels the stream. */
function streamBody(body: ReadableStream<Uint8Array>): ResponseBody {
  return {
    [Symbol.asyncIterator]() {
      const reader = body.getReader();
      return {
        async next() {
          const r = await reader.read();
          return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
        },
        async return() {
          await reader.cancel();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** Wraps a Fetch handler as a TSGI app. */
export function fromFetch(handler: AnyFetchHandler, options: FromFetchOptions = {}): App {
  return async (environ, startResponse) => {
    const request = requestFromEnviron(environ, options.stripScriptName);
    const args = (options.args ?? defaultArgs)(environ) as never[];
    const response = await handler(request, ...args);
    const headers: HeaderList = [];
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie' && !HOP_BY_HOP.has(name)) headers.push([name, value]);
    });
    for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
    startResponse(statusLine(response.status, response.statusText), headers);
    if (!response.body) return [];
    if (environ.REQUEST_METHOD === 'HEAD') {
      // The handler may have produced a body anyway; release it rather than leave it pending.
      response.body.cancel().catch(() => {});
      return [];
    }
    return streamBody(response.body);
  };
}
