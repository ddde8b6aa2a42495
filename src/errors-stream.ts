/** wsgi.errors: a text stream that hands whole lines to a sink (console.error by default). */
import type { Environ, ErrorStream } from './types.js';

/** Where `wsgi.errors` lines go: a function that takes one line. */
export type ErrorSink = (line: string) => void;

const defaultSink: ErrorSink = (line) => console.error(line);

class LineErrorStream implements ErrorStream {
  #pending = '';
  readonly #sink: ErrorSink;
  constructor(sink: ErrorSink) {
    this.#sink = sink;
  }
  write(text: string): void {
    this.#pending += String(text);
    let nl = this.#pending.indexOf('\n');
    while (nl !== -1) {
      this.#sink(this.#pending.slice(0, nl));
      this.#pending = this.#pending.slice(nl + 1);
      nl = this.#pending.indexOf('\n');
    }
  }
  writelines(lines: Iterable<string>): void {
    for (const line of lines) this.write(line);
  }
  flush(): void {
    if (this.#pending) {
      this.#sink(this.#pending);
      this.#pending = '';
    }
  }
}

/** Builds wsgi.errors; each complete line goes to `sink`. */
export function createErrors(sink: ErrorSink = defaultSink): ErrorStream {
  return new LineErrorStream(sink);
}

/** Writes `what` and the error's stack to the request's wsgi.errors, naming the request. */
export function reportToErrors(environ: Environ, error: unknown, what: string): void {
  const e = error as { stack?: string; code?: string; status?: number; message?: string };
  const method = environ.REQUEST_METHOD;
  const path = `${environ.SCRIPT_NAME ?? ''}${environ.PATH_INFO ?? ''}`;
  // A coded 4xx (a limit the client broke, a body cut short) is the client's doing: its message
  // names the limit and the option, a stack would only point into the server.
  const clientFault =
    typeof e?.code === 'string' && (e.status ?? 0) >= 400 && (e.status ?? 0) < 500;
  const text = clientFault ? e.message : (e?.stack ?? String(error));
  try {
    environ['wsgi.errors'].write(`${what} (${method} ${path}): ${text}\n`);
    environ['wsgi.errors'].flush();
  } catch {
    // A broken error stream must not hide the response.
  }
}
