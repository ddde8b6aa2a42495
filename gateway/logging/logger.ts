/**
 * Log lines of the gateway: one line each, to stderr by default (as uWSGI does). Every line
 * passes through escapeControls: request paths, uwsgi vars and header values are the client's
 * bytes, and a CR or LF in them must not start a line that looks like one of ours.
 */

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

/** Options of createLogger: drop request lines, or write somewhere else. */
export interface LoggerOptions {
  disableLogging?: boolean;
  /** Request lines as given, without the `tsgi: ` prefix (JSON lines: --log-req-encoder json). */
  bareRequests?: boolean;
  /** Where lines go (default: process.stderr). */
  write?: (line: string) => void;
}

function hex(code: number): string {
  return `\\x${code < 16 ? '0' : ''}${code.toString(16)}`;
}

/**
 * Control bytes (C0, DEL) as `\xNN`, the way nginx escapes its access log: one record stays one
 * line. Scans first; the usual line has none and is returned as is.
 */
export function escapeControls(text: string): string {
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) break;
  }
  if (i === text.length) return text;
  let out = text.slice(0, i);
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c < 0x20 || c === 0x7f ? hex(c) : text[i];
  }
  return out;
}

/** The gateway's logger: `tsgi: ` lines to stderr (or `write`), request lines dropped under disableLogging. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    info: (m) => write(`tsgi: ${escapeControls(m)}`),
    warn: (m) => write(`tsgi: warning: ${escapeControls(m)}`),
    // Stack traces keep their lines, each one marked as part of an error.
    error: (m) => {
      for (const line of m.split('\n')) write(`tsgi: error: ${escapeControls(line)}`);
    },
    request: options.disableLogging
      ? () => {}
      : options.bareRequests
        ? (m) => write(escapeControls(m))
        : (m) => write(`tsgi: ${escapeControls(m)}`),
    requests: !options.disableLogging,
  };
}
