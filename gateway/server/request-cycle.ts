/**
 * What happens to a request, whatever the protocol and the transport:
 *
 *   codec decodes a request → serveRequest: limit-post → app (startApp) → codec writes the
 *   response through the transport → requestDone (one log line, one count) → exchange.responded
 *
 * The parts around it:
 * - A protocol codec turns bytes into a request: the environ (wsgi.input not set yet), the
 *   declared body length and a body source (bytes read whole, a ChunkSource fed by the
 *   connection, or none): uwsgi-request.ts for uwsgi, gateway/http/ with http-environ.ts for
 *   HTTP/1.1. The codec's response side is a ResponseCodec: uwsgi-response.ts writes a status
 *   line, headers and a body that ends at close; http-response.ts adds framing (Content-Length
 *   or chunked) and keep-alive, and tells the connection whether it may stay open.
 * - A connection is one transport (a raw libuv handle, handle-transport.ts, with the uwsgi and
 *   HTTP protocols on it in uwsgi-fast-accept.ts and http-fast-accept.ts;
 *   a net.Socket or TLS socket: uwsgi-connection.ts; node:http's request and response:
 *   node-http-exchange.ts, whose codec writes through writeHead/write/end and lets node frame
 *   the body; a socket an upgrade took: upgrade-exchange.ts) and implements Exchange: write() and
 *   waitDrain() carry the bytes (waitDrain resolves false when the peer stops reading for
 *   socket-timeout, so a stalled reader cannot hold a response in memory), `closed` says the
 *   peer is gone, and responded(ok) is told once per request when the response is out: close,
 *   drain the unread body, or (HTTP) read the next request. A false `ok` means the response was
 *   cut short: the connection must close.
 *
 * The cycle owns, once for every path: limit-post against the declared length (413 before the
 * app runs; a body of unknown length is held to it by its body source), the choice between the
 * one-write whole response and the streamed one, the 500 for a response the codec refuses, the
 * "client gone" outcome, and the single requestDone call of every request, refusals included.
 * Timeouts that wait on the peer belong to the transport (header/vars, body, drain: each is
 * socket-timeout); harakiri wraps the app itself (worker/supervise-app.ts). HTTP connections that
 * the raw handle does not serve (a split head, a chunked upload, Expect, Upgrade) go to node:http
 * (http-server.ts), whose requests come here too; an upgrade handler that runs the app itself
 * (a WebSocket handshake) ends its request through serveResponse or requestServed.
 *
 * The hot path (a hello world behind nginx) allocates nothing here: an app that answers with an
 * array body is served synchronously (startApp), with no promise and no closure; only an async
 * app or a streamed body takes the async functions below.
 */
import {
  type AppResponse,
  createInput,
  type Environ,
  errorResponse,
  type InputSource,
  startApp,
  type TsgiError,
} from '../../src/index.js';
import { limitError } from '../limits.js';
import type { Logger } from '../logging/logger.js';
import type { ConnectionContext } from './connection-context.js';
import { type Outcome, RequestRecord, requestDone } from './request-done.js';
import type { ResponseTarget, WriteOutcome } from './uwsgi-response.js';

/** How a protocol puts a response on the wire (uwsgi-response.ts's uwsgiResponse for uwsgi). */
export interface ResponseCodec {
  /**
   * Writes a response whose body is known whole (or not sent: HEAD, 204/304) in one write, now.
   * Undefined when it cannot (a streamed body, a head it refuses): then stream() follows.
   */
  whole(target: ResponseTarget, response: AppResponse, isHead: boolean): WriteOutcome | undefined;
  /** Writes any response with backpressure; answers 500 (logged) for a head it refuses. */
  stream(
    target: ResponseTarget,
    response: AppResponse,
    isHead: boolean,
    log: Logger,
  ): Promise<WriteOutcome>;
}

/** One request's connection, as the cycle sees it: the transport plus what follows a response. */
export interface Exchange extends ResponseTarget {
  readonly codec: ResponseCodec;
  /** performance.now() when the request began, for its log line (0 when request lines are off). */
  readonly startedAt: number;
  /**
   * A refusal is about to be written (the app does not run; the body may be unread): the
   * connection must not carry another request. Absent where every connection closes anyway.
   */
  closeAfterResponse?(): void;
  /** The response is out (ok) or was cut short (!ok: close the connection). Once per request. */
  responded(ok: boolean): void;
  /** The peer's address, for the request line of a refusal (absent where the codec has none). */
  readonly remoteAddress?: string | undefined;
}

/** The URI a request line shows: as the client sent it, else the path. */
function uriOf(environ: Environ): string {
  return (environ.REQUEST_URI as string | undefined) ?? environ.PATH_INFO;
}

/**
 * Serves one decoded request: `declaredLength` is the body length the request announced (0 for
 * none or unknown), `body` the source wsgi.input reads (bytes already read whole, a ChunkSource
 * the connection feeds, or undefined: an empty body).
 */
export function serveRequest(
  context: ConnectionContext,
  exchange: Exchange,
  environ: Environ,
  declaredLength: number,
  body: InputSource | undefined,
): void {
  const { options, app } = context;
  if (options.limitPost > 0 && declaredLength > options.limitPost) {
    const error = limitError('limitPost', options.limitPost, `CONTENT_LENGTH ${declaredLength}`);
    refuseRequest(context, exchange, error, environ.REQUEST_METHOD, uriOf(environ), environ);
    return;
  }
  environ['wsgi.input'] = createInput(body);
  const started = startApp(app, environ);
  if (started instanceof Promise) void respondWhenReady(context, exchange, environ, started);
  else respond(context, exchange, environ, started);
}

/**
 * Writes, logs and counts the response of an app a protocol handler ran itself (a WebSocket
 * handshake the app declined): the same steps as serveRequest's after the app. Resolves once the
 * request is done.
 */
export function serveResponse(
  context: ConnectionContext,
  exchange: Exchange,
  environ: Environ,
  response: AppResponse,
): Promise<void> {
  return respond(context, exchange, environ, response) ?? RESOLVED;
}

const RESOLVED: Promise<void> = Promise.resolve();

async function respondWhenReady(
  context: ConnectionContext,
  exchange: Exchange,
  environ: Environ,
  pending: Promise<AppResponse>,
): Promise<void> {
  respond(context, exchange, environ, await pending);
}

/** The usual case (a body known whole) is written and done in this turn, with no promise hop. */
function respond(
  context: ConnectionContext,
  exchange: Exchange,
  environ: Environ,
  response: AppResponse,
): Promise<void> | undefined {
  if (!exchange.closed) {
    const whole = exchange.codec.whole(exchange, response, environ.REQUEST_METHOD === 'HEAD');
    if (whole) {
      void response.close();
      const outcome = whole.ok ? undefined : 'aborted';
      requestServed(context, exchange, environ, whole.status, whole.bytes, outcome);
      return undefined;
    }
  }
  return respondStreamed(context, exchange, environ, response);
}

async function respondStreamed(
  context: ConnectionContext,
  exchange: Exchange,
  environ: Environ,
  response: AppResponse,
): Promise<void> {
  const { log } = context;
  if (exchange.closed) {
    await response.close();
    requestServed(context, exchange, environ, response.status, 0, 'client gone');
    return;
  }
  const isHead = environ.REQUEST_METHOD === 'HEAD';
  let outcome: WriteOutcome;
  try {
    outcome = await exchange.codec.stream(exchange, response, isHead, log);
  } catch (error) {
    // A codec bug, not a peer: logged, and the request still ends once.
    log.error(`response failed: ${(error as Error)?.stack ?? error}`);
    outcome = { status: response.status, bytes: 0, ok: false };
  }
  requestServed(
    context,
    exchange,
    environ,
    outcome.status,
    outcome.bytes,
    outcome.ok ? undefined : 'aborted',
  );
}

/** Refilled for each request that ends here (request-done.ts): no record allocated per request. */
const finished = new RequestRecord();

/** The one end of every request that ran the app: its line, its count, then the connection's turn. */
export function requestServed(
  context: ConnectionContext,
  exchange: Exchange,
  environ: Environ,
  status: number,
  bytes: number,
  outcome: Outcome,
): void {
  const request = finished;
  request.remote = environ.REMOTE_ADDR;
  request.method = environ.REQUEST_METHOD;
  request.uri = uriOf(environ);
  request.status = status;
  request.bytes = bytes;
  request.startedAt = exchange.startedAt;
  request.outcome = outcome;
  request.counted = true;
  request.environ = environ;
  requestDone(context, request);
  exchange.responded(outcome === undefined);
}

/**
 * Answers a protocol or limit error (400/408/413/431: the error's status) without running the
 * app, with a log line naming the limit; the request line is written but not counted. An error
 * with no status, or a peer already gone, just closes.
 */
export function refuseRequest(
  context: ConnectionContext,
  exchange: Exchange,
  error: TsgiError,
  method = '-',
  uri = '-',
  /** The request's environ when it got that far (--log-format variables). */
  environ?: Environ,
): void {
  const { log } = context;
  log.warn(error.message);
  if (error.status === undefined || exchange.closed) {
    exchange.responded(false);
    return;
  }
  exchange.closeAfterResponse?.();
  void exchange.codec.stream(exchange, errorResponse(error), false, log).then((written) => {
    const { status, bytes } = written;
    const { startedAt } = exchange;
    // Not counted: the app did not run. (A refusal is rare: its record may be allocated.)
    requestDone(context, {
      remote: (environ?.REMOTE_ADDR as string | undefined) ?? exchange.remoteAddress,
      method,
      uri,
      status,
      bytes,
      startedAt,
      outcome: undefined,
      counted: false,
      environ,
    });
    exchange.responded(written.ok);
  });
}

/**
 * The request line of a connection answered before a request could be read (no method, no URI):
 * the connection cap's 503, node:http's 400/408/431 for bytes it could not parse. Not counted.
 */
export function refusedUnread(
  context: ConnectionContext,
  remote: string | undefined,
  status: number,
): void {
  requestDone(context, {
    remote,
    method: '-',
    uri: '-',
    status,
    bytes: 0,
    startedAt: performance.now(),
    outcome: undefined,
    counted: false,
    environ: undefined,
  });
}
