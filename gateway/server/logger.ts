/** Log lines of the gateway: one line each, to stderr by default (as uWSGI does). */

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** One line per request; dropped under --disable-logging. */
  request(message: string): void;
  /**
   * False when request lines are dropped (--disable-logging): callers skip building them, which
   * is per-request work. Absent means they are kept.
   */
  readonly requests?: boolean;
}

export interface LoggerOptions {
  disableLogging?: boolean;
  /** Where lines go (default: process.stderr). */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    info: (m) => write(`tsgi: ${m}`),
    warn: (m) => write(`tsgi: warning: ${m}`),
    error: (m) => write(`tsgi: error: ${m}`),
    request: options.disableLogging ? () => {} : (m) => write(`tsgi: ${m}`),
    requests: !options.disableLogging,
  };
}

/** `127.0.0.1 GET /path?q => 200 12 bytes in 0.41 ms` */
export function requestLine(
  remote: string | undefined,
  method: string,
  uri: string,
  status: number | string,
  bytes: number,
  startedAt: number,
): string {
  const ms = (performance.now() - startedAt).toFixed(2);
  return `${remote || '-'} ${method} ${uri} => ${status} ${bytes} bytes in ${ms} ms`;
}
