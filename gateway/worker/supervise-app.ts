/**
 * The middleware a worker puts around the app: it counts each request for the stats, and enforces
 * harakiri per request. A request past its deadline gets a 504 when nothing was sent yet (runApp
 * turns the coded error into the response), or its connection closed when the body had started;
 * the worker's other requests carry on. uWSGI instead SIGKILLs the whole worker (nginx: 502).
 */
import type {
  App,
  BodyChunk,
  Environ,
  ResponseBody,
  StartResponse,
  Write,
} from '../../src/index.js';
import { workerError } from './errors.js';
import type { RequestRecord, RequestTracker } from './request-tracker.js';

export interface SuperviseOptions {
  /** Seconds; 0 = off. */
  harakiri: number;
  harakiriVerbose: boolean;
  log: (line: string) => void;
}

const encoder = new TextEncoder();

function byteLength(chunk: BodyChunk): number {
  return typeof chunk === 'string' ? encoder.encode(chunk).length : chunk.length;
}

function harakiriError(record: RequestRecord, seconds: number) {
  const error = workerError('ERR_HARAKIRI', `${record.method} ${record.uri} after ${seconds} s`);
  error.stack = error.message; // The stack of a timer says nothing about the slow request.
  return error;
}

/** A per-request deadline: `expired` settles (rejects) once, and only if someone listens. */
class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private listeners: Array<(error: Error) => void> = [];
  error: Error | undefined;

  constructor(ms: number, makeError: () => Error, onFire: () => void) {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.error = makeError();
      onFire();
      for (const l of this.listeners.splice(0)) l(this.error);
    }, ms);
  }

  /** Settles like `promise`, or rejects when the deadline passes first. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.error) return Promise.reject(this.error);
    return new Promise<T>((resolve, reject) => {
      const listener = (error: Error) => reject(error);
      this.listeners.push(listener);
      const detach = () => {
        const i = this.listeners.indexOf(listener);
        if (i >= 0) this.listeners.splice(i, 1);
      };
      promise.then(
        (v) => {
          detach();
          resolve(v);
        },
        (e) => {
          detach();
          reject(e);
        },
      );
    });
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners = [];
  }
}

function isThenable(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

export function superviseApp(app: App, tracker: RequestTracker, options: SuperviseOptions): App {
  const harakiriMs = options.harakiri * 1000;
  return (environ: Environ, startResponse: StartResponse) => {
    const record = tracker.begin(environ);
    let deadline: Deadline | undefined;
    if (harakiriMs > 0) {
      deadline = new Deadline(
        harakiriMs,
        () => harakiriError(record, options.harakiri),
        () => {
          tracker.harakiriCount++;
          const what = record.committed ? 'connection closed mid-response' : 'answered 504';
          const ms = (performance.now() - record.startedAt).toFixed(0);
          let line = `HARAKIRI on pid ${process.pid}: ${record.method} ${record.uri} ran past ${options.harakiri} s (harakiri), ${what}; the worker's other requests carry on`;
          if (options.harakiriVerbose) {
            const addr = environ.REMOTE_ADDR ?? '-';
            line += ` [addr ${addr}, started ${new Date(record.since).toISOString()}, ${ms} ms ago, ${tracker.running.size} in flight]`;
          }
          options.log(line);
        },
      );
    }
    const finish = () => {
      deadline?.clear();
      tracker.end(record);
    };
    const offer = environ['tsgi.websocket'];
    if (offer) {
      // An accepted WebSocket is no longer a request in flight: harakiri stops here, the
      // request is counted (101), and the stats count the socket instead.
      environ['tsgi.websocket'] = {
        protocols: offer.protocols,
        accept: async (options) => {
          const socket = await offer.accept(options);
          record.status = 101;
          finish();
          return socket;
        },
      };
    }
    const proxy: StartResponse = (status, headers, excInfo) => {
      record.status = Number.parseInt(status, 10) || 0;
      const write = startResponse(status, headers, excInfo);
      const counted: Write = (chunk) => {
        const n = byteLength(chunk);
        record.bytes += n;
        if (n > 0) record.committed = true;
        return write(chunk);
      };
      return counted;
    };
    const failed = (error: unknown): never => {
      if (deadline?.error === error) record.status = 504;
      else {
        tracker.exceptions++;
        record.status = record.committed ? record.status : 500;
      }
      finish();
      throw error;
    };
    let result: ResponseBody | Promise<ResponseBody>;
    try {
      result = app(environ, proxy);
    } catch (error) {
      return failed(error);
    }
    if (isThenable(result)) {
      const settled = deadline ? deadline.race(result) : result;
      return settled.then((body) => wrapBody(body, record, deadline, finish, failed), failed);
    }
    return wrapBody(result, record, deadline, finish, failed);
  };
}

function wrapBody(
  body: ResponseBody,
  record: RequestRecord,
  deadline: Deadline | undefined,
  finish: () => void,
  failed: (error: unknown) => never,
): ResponseBody {
  if (body === null || typeof body !== 'object') return body; // runApp reports the type error.
  if (Array.isArray(body)) {
    // Fully produced already: keep it an array (runApp's one-write fast path), hook close().
    deadline?.clear();
    for (const chunk of body as BodyChunk[]) record.bytes += byteLength(chunk);
    const original = body as ResponseBody;
    return Object.assign([...(body as BodyChunk[])], {
      close: async () => {
        try {
          await original.close?.();
        } finally {
          finish();
        }
      },
    });
  }
  const source = body as Partial<AsyncIterable<BodyChunk> & Iterable<BodyChunk>>;
  const open = (): AsyncIterator<BodyChunk> | Iterator<BodyChunk> => {
    const asyncOpen = source[Symbol.asyncIterator];
    if (typeof asyncOpen === 'function') return asyncOpen.call(source);
    return (source as Iterable<BodyChunk>)[Symbol.iterator]();
  };
  let iterator: AsyncIterator<BodyChunk> | Iterator<BodyChunk> | undefined;
  const wrapped = {
    [Symbol.asyncIterator](): AsyncIterator<BodyChunk> {
      iterator ??= open();
      const it = iterator;
      return {
        next: async () => {
          let step: IteratorResult<BodyChunk>;
          try {
            const pending = Promise.resolve(it.next());
            step = await (deadline ? deadline.race(pending) : pending);
          } catch (error) {
            void Promise.resolve(it.return?.()).catch(() => {});
            return failed(error);
          }
          if (step.done) {
            deadline?.clear();
            return step;
          }
          const n = byteLength(step.value);
          record.bytes += n;
          if (n > 0) record.committed = true;
          return step;
        },
        return: async (value?: unknown) => {
          // After a harakiri the app's generator is still suspended in its await: return() would
          // queue behind it forever, so let it go without waiting.
          const returned = Promise.resolve(it.return?.(value));
          if (deadline?.error) void returned.catch(() => {});
          else await returned;
          return { done: true, value: undefined };
        },
      };
    },
    close: async () => {
      try {
        const closed = Promise.resolve(body.close?.());
        if (deadline?.error) void closed.catch(() => {});
        else await closed;
      } finally {
        finish();
      }
    },
  };
  return wrapped as ResponseBody;
}
