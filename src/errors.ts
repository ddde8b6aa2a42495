/**
 * Error codes of the core. Every error we throw carries a stable `code`; match on it, not on
 * `instanceof` (adapters and the gateway may load different copies of this module).
 */

export interface ErrorSpec {
  /** HTTP status the error maps to when it ends a request, if it has one. */
  readonly status?: number;
  /** What happened, as a sentence. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** A layer's error table: code → message, fix and HTTP status; docs/errors.md is generated from these. */
export type ErrorTable = Readonly<Record<string, ErrorSpec>>;

/** What throwing an error needs of its table: the message and the status (an ErrorTable is one). */
export type ErrorMessages = Readonly<Record<string, Omit<ErrorSpec, 'fix'>>>;

/** The error class every tsgi layer throws: a stable `code` (`ERR_…`) and, where it has one, an HTTP `status`. */
export class TsgiError extends Error {
  // `declare`d: the constructor assigns both (no field defined as undefined first).
  declare readonly code: string;
  declare readonly status: number | undefined;
  constructor(code: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TsgiError';
    this.code = code;
    this.status = options.status;
  }
}

/** Creates a coded error from a table entry; `detail` is appended to the table's message. */
export function createError<T extends ErrorMessages>(
  table: T,
  code: keyof T & string,
  detail?: string,
  cause?: unknown,
): TsgiError {
  const spec = table[code]!;
  const message = detail ? `${spec.message}: ${detail}` : spec.message;
  return new TsgiError(code, `${code}: ${message}`, { status: spec.status, cause });
}

/** A layer's error constructor, typed by its table: `const gatewayError = errorFactory(GATEWAY_ERRORS)`. */
export function errorFactory<T extends ErrorMessages>(
  table: T,
): (code: keyof T & string, detail?: string, cause?: unknown) => TsgiError {
  return (code, detail, cause) => createError(table, code, detail, cause);
}

/** The HTTP status an error ends a request with (500 unless the error says otherwise). */
export function statusOf(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

/**
 * The core's errors as thrown: code → HTTP status and message. The fix texts are a table of their
 * own (CORE_ERROR_FIXES), so a bundle that only throws these errors does not carry them.
 */
export const CORE_ERROR_MESSAGES = {
  ERR_TSGI_STATUS_INVALID: {
    status: 500,
    message: "startResponse got a status that is not 'NNN Reason'",
  },
  ERR_TSGI_HEADER_INVALID: {
    status: 500,
    message: 'startResponse got an invalid header',
  },
  ERR_TSGI_HOP_BY_HOP_HEADER: {
    status: 500,
    message: 'the app set a hop-by-hop header',
  },
  ERR_TSGI_START_RESPONSE_TWICE: {
    status: 500,
    message: 'startResponse was called twice without excInfo',
  },
  ERR_TSGI_NO_START_RESPONSE: {
    status: 500,
    message: 'the app returned before calling startResponse',
  },
  ERR_TSGI_BODY_NOT_ITERABLE: {
    status: 500,
    message: "the app's body is not an iterable of chunks",
  },
  ERR_TSGI_CHUNK_TYPE: {
    status: 500,
    message: 'a body chunk is neither a Uint8Array nor a string',
  },
  ERR_TSGI_APP_ERROR: {
    status: 500,
    message: 'the app threw before the headers were sent',
  },
  ERR_TSGI_APP_ERROR_AFTER_HEADERS: {
    message: 'the app threw after the headers were sent; the body was cut short',
  },
  ERR_TSGI_CONTENT_LENGTH_MISMATCH: {
    message: 'the body length is not the declared Content-Length',
  },
  ERR_TSGI_INPUT_CLOSED: { message: 'wsgi.input was read after the request finished' },
  ERR_TSGI_STARTUP_FAILED: {
    status: 503,
    message: "the app's startup hook failed",
  },
  ERR_TSGI_WEBSOCKET_ACCEPT: {
    status: 500,
    message: 'tsgi.websocket.accept() was refused',
  },
  ERR_TSGI_WEBSOCKET_CLOSED: {
    message: 'send() on a WebSocket that is closing or closed',
  },
} as const satisfies ErrorMessages;

/** The codes of the core's errors (`ERR_TSGI_*`), listed in docs/errors.md. */
export type CoreErrorCode = keyof typeof CORE_ERROR_MESSAGES;

/** How to fix each core error: docs/errors.md's last column. */
export const CORE_ERROR_FIXES: Readonly<Record<CoreErrorCode, string>> = {
  ERR_TSGI_STATUS_INVALID:
    "Pass a string such as '200 OK': a final status 200–599, a space, a reason phrase without control characters.",
  ERR_TSGI_HEADER_INVALID:
    'Header names are RFC 9110 tokens; values must not contain CR, LF or NUL (they would split the response).',
  ERR_TSGI_HOP_BY_HOP_HEADER:
    'Remove Connection, Keep-Alive, Transfer-Encoding, Upgrade, TE, Trailer and Proxy-* headers; the server frames the response.',
  ERR_TSGI_START_RESPONSE_TWICE:
    'Call startResponse once; to change your mind after an error, pass the caught error as the third argument.',
  ERR_TSGI_NO_START_RESPONSE:
    'Call startResponse(status, headers) before returning or before the first chunk is produced.',
  ERR_TSGI_BODY_NOT_ITERABLE:
    "Return an array or (async) generator of Uint8Array or string chunks, e.g. ['hello'], not a bare string.",
  ERR_TSGI_CHUNK_TYPE: 'Yield Uint8Array (or string, encoded as UTF-8) chunks only.',
  ERR_TSGI_APP_ERROR: 'See the logged cause; the client got a 500.',
  ERR_TSGI_APP_ERROR_AFTER_HEADERS: 'See the logged cause; the client saw an aborted body.',
  ERR_TSGI_CONTENT_LENGTH_MISMATCH:
    'Declare the exact byte length (UTF-8 for strings) or leave Content-Length out and let the server frame the body.',
  ERR_TSGI_INPUT_CLOSED: 'Read the body before returning the response, or while producing it.',
  ERR_TSGI_STARTUP_FAILED:
    'See the logged cause; the hook runs again before the next request (gateway: the worker does not start).',
  ERR_TSGI_WEBSOCKET_ACCEPT:
    'Call accept() once, before startResponse, with a protocol the client offered (or none).',
  ERR_TSGI_WEBSOCKET_CLOSED:
    'Stop sending once close() was called or the iteration ended; await socket.closed to know when.',
};

/** A message table and a fix table with the same codes, as one ErrorTable. */
export function withFixes<M extends ErrorMessages>(
  messages: M,
  fixes: Readonly<Record<keyof M, string>>,
): { readonly [K in keyof M]: M[K] & { readonly fix: string } } {
  const table: Record<string, ErrorSpec> = {};
  for (const code of Object.keys(messages)) {
    table[code] = { ...messages[code]!, fix: fixes[code as keyof M] };
  }
  return table as { readonly [K in keyof M]: M[K] & { readonly fix: string } };
}

/** The core's errors with their fixes. docs/errors.md is generated from this table and the other layers' tables. */
export const CORE_ERRORS = /* @__PURE__ */ withFixes(CORE_ERROR_MESSAGES, CORE_ERROR_FIXES);

/** Builds a TsgiError from the core's table: `coreError('ERR_TSGI_…', detail?, cause?)`. */
export const coreError = errorFactory(CORE_ERROR_MESSAGES);
