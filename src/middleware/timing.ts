/**
 * A middleware that adds a `Server-Timing` header (time until the app called startResponse) and
 * logs one line per request to wsgi.errors when the body is closed. It shows how to wrap
 * startResponse and the body without breaking close() or streaming.
 */
import type { App, BodyChunk, HeaderList, ResponseBody } from '../types.js';

/** Options of the timing middleware: the Server-Timing header, a log line per request, the clock. */
export interface TimingOptions {
  /** Add `Server-Timing: app;dur=...` (default true). */
  header?: boolean;
  /** Log `METHOD path status ms` to wsgi.errors when the response is done (default true). */
  log?: boolean;
  /** The clock, in milliseconds (default performance.now). */
  now?: () => number;
}

/** Wraps `body` so `done` runs once, when the server closes it; every chunk passes through. */
function onClose(body: ResponseBody, done: () => void): ResponseBody {
  // Not a body (a bare string, say): hand it on untouched so the server reports it.
  if (typeof body !== 'object' || body === null || body instanceof Uint8Array) return body;
  const source = body as Partial<Iterable<BodyChunk> & AsyncIterable<BodyChunk>>;
  let iterator: Iterator<BodyChunk> | AsyncIterator<BodyChunk> | undefined;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await iterator?.return?.();
      await body.close?.();
    } finally {
      done();
    }
  };
  if (typeof source[Symbol.asyncIterator] === 'function') {
    return {
      [Symbol.asyncIterator]: () => {
        iterator = source[Symbol.asyncIterator]!();
        const it = iterator;
        return {
          next: () => it.next(),
          return: async () => {
            await close();
            return { done: true, value: undefined };
          },
        };
      },
      close,
    };
  }
  return {
    [Symbol.iterator]: () => {
      iterator = source[Symbol.iterator]!();
      const it = iterator as Iterator<BodyChunk>;
      return {
        next: () => it.next(),
        return: () => {
          void close();
          return { done: true, value: undefined };
        },
      };
    },
    close,
  };
}

/** Adds Server-Timing and a per-request log line. */
export function timing(app: App, options: TimingOptions = {}): App {
  const { header = true, log = true, now = () => performance.now() } = options;
  return async (environ, startResponse) => {
    const start = now();
    let status = '-';
    const body = await app(environ, (s, headers: HeaderList, excInfo?: unknown) => {
      status = s.slice(0, 3);
      const dur = (now() - start).toFixed(1);
      const out: HeaderList = header ? [...headers, ['Server-Timing', `app;dur=${dur}`]] : headers;
      return startResponse(s, out, excInfo);
    });
    if (!log) return body;
    return onClose(body, () => {
      const path = `${environ.SCRIPT_NAME || ''}${environ.PATH_INFO || ''}`;
      const ms = (now() - start).toFixed(1);
      environ['wsgi.errors'].write(`${environ.REQUEST_METHOD} ${path} ${status} ${ms}ms\n`);
    });
  };
}
