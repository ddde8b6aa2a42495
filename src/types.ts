/**
 * The TSGI interface: PEP 3333 carried over to JavaScript. See docs/spec.md for the rules.
 */

/** A response header as a `[name, value]` pair. Names and values are latin-1 strings without CR/LF. */
export type Header = [name: string, value: string];
/** The response headers startResponse takes: a list of `[name, value]` pairs. */
export type HeaderList = Header[];

/** A body chunk. Strings are encoded as UTF-8 (a deviation from PEP 3333, see docs/spec.md). */
export type BodyChunk = Uint8Array | string;

/** What an app returns: a sync or async iterable of chunks. `close()` is called when the server is done. */
export type ResponseBody = (Iterable<BodyChunk> | AsyncIterable<BodyChunk>) & {
  close?: () => void | Promise<void>;
};

/**
 * PEP 3333's write(): the legacy imperative body API. The chunk is queued in order before the
 * iterable's chunks; the promise resolves when the server has handed it on (await it for backpressure).
 */
export type Write = (chunk: BodyChunk) => Promise<void>;

/**
 * `startResponse(status, headers, excInfo?)`: status is `'NNN Reason'`. Calling it again is allowed
 * only with `excInfo` (the caught error); after headers were sent that call throws `excInfo`.
 */
export type StartResponse = (status: string, headers: HeaderList, excInfo?: unknown) => Write;

/** `wsgi.input`: the request body. Reads resolve to an empty array at end of body. */
export interface InputStream extends AsyncIterable<Uint8Array> {
  /** Reads up to `size` bytes (a fraction rounds down); without `size` (or a negative one, or NaN), the rest of the body. */
  read(size?: number): Promise<Uint8Array>;
  /** Reads one line including its `\n`, or up to `size` bytes. */
  readline(size?: number): Promise<Uint8Array>;
  /** Reads lines until EOF, or until about `hint` bytes were read. */
  readlines(hint?: number): Promise<Uint8Array[]>;
}

/** `wsgi.errors`: a text stream for the app's diagnostics. */
export interface ErrorStream {
  write(text: string): void;
  writelines(lines: Iterable<string>): void;
  flush(): void;
}

/** The environ. CGI values are latin-1 "bytes as characters" strings (PEP 3333). */
export interface Environ {
  REQUEST_METHOD: string;
  SCRIPT_NAME: string;
  PATH_INFO: string;
  QUERY_STRING: string;
  CONTENT_TYPE?: string;
  CONTENT_LENGTH?: string;
  SERVER_NAME: string;
  SERVER_PORT: string;
  SERVER_PROTOCOL: string;
  REMOTE_ADDR?: string;
  REQUEST_URI?: string;
  HTTPS?: string;
  'wsgi.version': readonly [1, 0];
  'wsgi.url_scheme': 'http' | 'https';
  'wsgi.input': InputStream;
  'wsgi.errors': ErrorStream;
  'wsgi.multithread': boolean;
  'wsgi.multiprocess': boolean;
  'wsgi.run_once': boolean;
  /** True when wsgi.input ends at the body's end even without CONTENT_LENGTH (chunked uploads). */
  'wsgi.input_terminated'?: boolean;
  /** Background work after the response (docs/spec.md, Extensions). Present on every platform. */
  'tsgi.waitUntil'?: WaitUntil;
  /** Present only when the request asks for a WebSocket and the server can upgrade it. */
  'tsgi.websocket'?: WebSocketUpgrade;
  /** What the app's `startup` hook returned (absent when it has none or returned undefined). */
  'tsgi.state'?: unknown;
  [key: `HTTP_${string}`]: string | undefined;
  [key: string]: unknown;
}

/**
 * A TSGI application. `E` narrows the environ for one platform: `App<WorkerEnviron<Env>>` types
 * `cloudflare.env`, `App<LambdaEnviron<APIGatewayProxyEventV2>>` types `aws.event`.
 */
export type App<E extends Environ = Environ> = (
  environ: E,
  startResponse: StartResponse,
) => ResponseBody | Promise<ResponseBody>;

/** Middleware: an app that wraps an app. */
export type Middleware = (app: App) => App;

/** `tsgi.waitUntil(promise)`: keep the server alive for `promise` after the response. */
export type WaitUntil = (promise: Promise<unknown>) => void;

/** What `accept()` may add to the handshake answer. */
export interface WebSocketAcceptOptions {
  /** One of the subprotocols the client offered (Sec-WebSocket-Protocol). */
  protocol?: string;
  /** More response headers for the 101 (ignored where the platform cannot send them). */
  headers?: HeaderList;
}

/** Why and how a WebSocket closed. 1005: no code was given; 1006: the connection dropped. */
export interface WebSocketClose {
  code: number;
  reason: string;
}

/** An accepted WebSocket. Iterating yields incoming messages and ends at close. */
export interface TsgiWebSocket extends AsyncIterable<string | Uint8Array> {
  /** Sends a text (string) or binary (Uint8Array) message; resolves when handed on (backpressure). */
  send(message: string | Uint8Array): Promise<void>;
  /** Starts the closing handshake (code 1000 unless given). */
  close(code?: number, reason?: string): void;
  /** Settles once the socket is closed, with the peer's (or the server's) code and reason. */
  readonly closed: Promise<WebSocketClose>;
  /** The subprotocol agreed at accept, or ''. */
  readonly protocol: string;
}

/** `environ['tsgi.websocket']`: the offer of an upgrade. */
export interface WebSocketUpgrade {
  /** The subprotocols the client offered, in its order. */
  readonly protocols: readonly string[];
  /** Completes the handshake (the 101 goes out) and returns the socket. Call at most once. */
  accept(options?: WebSocketAcceptOptions): Promise<TsgiWebSocket>;
}

/**
 * Start-up and shut-down hooks, exported by the app module (`export async function startup()`)
 * or passed to an adapter. `startup`'s result reaches every request as `environ['tsgi.state']`.
 */
export interface LifespanHooks<State = unknown> {
  startup?: () => State | Promise<State>;
  shutdown?: (state: State) => void | Promise<void>;
}
