/**
 * HTTP/1.1 sockets (--http-socket, --http) through node:http, with keep-alive. Same environ rules
 * and the same app path (runApp) as the uwsgi sockets. The http.Server never listens itself: it
 * is fed sockets accepted by a Listener, so a master can own the listening handle.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  type AppResponse,
  createInput,
  type Environ,
  errorResponse,
  isNullBodyStatus,
  runApp,
} from '../../src/index.js';
import { gatewayError } from '../errors.js';
import type { ConnectionContext, UpgradeHandler } from './connection-context.js';
import { buildEnviron } from './http-environ.js';
import { refuseUnread } from './http-unread-refusal.js';
import { type Outcome, RequestRecord, requestDone } from './request-done.js';
import { announcedLength, checkContentLength, hasCrLf } from './response-head.js';
import { writeResponse } from './uwsgi-response.js';
import { guardWrites } from './write-guard.js';

export type { UpgradeHandler, UpgradeRequest } from './connection-context.js';

/**
 * req as a body source that stops with 413 once more than limit-post bytes arrived, and with 408
 * when the peer sends nothing for socket-timeout while the app waits for the body (the rest of the
 * body will never be read, so the connection closes after the response).
 */
async function* limitedBody(
  req: IncomingMessage,
  res: ServerResponse,
  context: ConnectionContext,
): AsyncGenerator<Uint8Array> {
  const { limitPost: limit, socketTimeout } = context.options;
  const chunks = (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let seen = 0;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        res.shouldKeepAlive = false;
        const error = gatewayError('ERR_UWSGI_BODY_TIMEOUT', `${socketTimeout} s (socket-timeout)`);
        context.log.warn(error.message);
        reject(error);
      }, context.options.socketTimeoutMs);
    });
    let next: IteratorResult<Buffer>;
    try {
      next = await Promise.race([chunks.next(), stalled]);
    } finally {
      clearTimeout(timer);
    }
    if (next.done) return;
    seen += next.value.length;
    if (limit > 0 && seen > limit) {
      throw gatewayError('ERR_UWSGI_BODY_TOO_LARGE', `more than ${limit} bytes (limit-post)`);
    }
    yield next.value;
  }
}

function sendError(
  res: ServerResponse,
  error: unknown,
  context: ConnectionContext,
  startedAt: number,
  req: IncomingMessage,
  environ?: Environ,
): void {
  const response = errorResponse(error);
  context.log.warn((error as Error).message);
  res.shouldKeepAlive = false;
  res.writeHead(response.status, response.reason, flatHeaders(response));
  const body = Buffer.concat(response.chunks as Uint8Array[]);
  res.end(body);
  // The body bytes sent, as the uwsgi path logs them for its refusals.
  doneHttp(req, context, response.status, body.length, startedAt, undefined, false, environ);
}

function flatHeaders(response: AppResponse): string[] {
  const flat: string[] = [];
  for (const [name, value] of response.headers) flat.push(name, value);
  return flat;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** A response still queued after its last write: socket-timeout on the peer reading it. */
function guardSocket(socket: Socket, context: ConnectionContext, minBytes?: number): void {
  const { options, log } = context;
  const limit = `${options.socketTimeout} s (socket-timeout)`;
  guardWrites(socket, options.socketTimeoutMs, limit, log, minBytes);
}

function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  context: ConnectionContext,
  https: boolean,
): Promise<void> {
  // For the request line only: not read when request lines are off.
  const startedAt = context.log.requests === false ? 0 : performance.now();
  const { options, app } = context;
  let environ: Environ;
  try {
    environ = buildEnviron(req, context, https);
  } catch (error) {
    sendError(res, error, context, startedAt, req);
    return RESOLVED;
  }
  // The declared length as the app sees it (addHeader: the last Content-Length wins).
  const declared = environ.CONTENT_LENGTH;
  if (options.limitPost > 0 && declared !== undefined && Number(declared) > options.limitPost) {
    sendError(
      res,
      gatewayError(
        'ERR_UWSGI_BODY_TOO_LARGE',
        `CONTENT_LENGTH ${declared} > ${options.limitPost} (limit-post)`,
      ),
      context,
      startedAt,
      req,
      environ,
    );
    return RESOLVED;
  }
  const hasBody = declared !== undefined || environ.HTTP_TRANSFER_ENCODING !== undefined;
  environ['wsgi.input'] = createInput(hasBody ? limitedBody(req, res, context) : undefined);
  return runApp(app, environ).then((response) =>
    respondHttp(req, res, context, response, startedAt, environ),
  );
}

/**
 * The flat header list for writeHead (with Content-Length when known). Throws a coded 500 for a
 * header with CR/LF or a Content-Length a peer would read differently (checkContentLength).
 */
function headerList(response: AppResponse, isHead: boolean): string[] {
  const headers: string[] = [];
  let declared: string | undefined;
  for (const [name, value] of response.headers) {
    if (hasCrLf(name) || hasCrLf(value)) {
      throw gatewayError('ERR_GATEWAY_HEADER_CRLF', `header ${JSON.stringify(name)}`);
    }
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      declared = checkContentLength(value, declared);
    }
    headers.push(name, value);
  }
  const length = announcedLength(response, isHead);
  if (length !== undefined && declared === undefined && !isNullBodyStatus(response.status)) {
    headers.push('Content-Length', String(length));
  }
  return headers;
}

/**
 * Writes the response. A body known whole (the usual case), HEAD and 204/304 go out in this turn
 * with no promise hops; a streamed body, or headers refused for CR/LF, continue asynchronously.
 */
function respondHttp(
  req: IncomingMessage,
  res: ServerResponse,
  context: ConnectionContext,
  response: AppResponse,
  startedAt: number,
  environ: Environ,
): Promise<void> | undefined {
  const isHead = req.method === 'HEAD';
  let headers: string[];
  try {
    headers = headerList(response, isHead);
  } catch (error) {
    return refuseHeaders(req, res, context, response, error, startedAt, environ);
  }
  const bodyless = isNullBodyStatus(response.status);
  if (!response.complete && !isHead && !bodyless) {
    return streamHttp(req, res, context, response, headers, startedAt, environ);
  }
  let bytes = 0;
  let ok = true;
  try {
    res.writeHead(response.status, response.reason, headers);
    if (isHead || bodyless) {
      res.end();
    } else {
      const chunks = response.chunks;
      for (const chunk of chunks) bytes += chunk.length;
      res.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks as Uint8Array[]));
      guardSocket(req.socket, context);
    }
  } catch (error) {
    ok = false;
    context.log.error(`response cut short: ${(error as Error)?.message ?? error}`);
    res.destroy();
  }
  void response.close();
  responded(req, res, context, response.status, ok, bytes, startedAt, environ);
  return undefined;
}

async function refuseHeaders(
  req: IncomingMessage,
  res: ServerResponse,
  context: ConnectionContext,
  response: AppResponse,
  error: unknown,
  startedAt: number,
  environ: Environ,
): Promise<void> {
  context.log.error((error as Error).message);
  await response.close();
  await respondHttp(req, res, context, errorResponse(error), startedAt, environ);
}

async function streamHttp(
  req: IncomingMessage,
  res: ServerResponse,
  context: ConnectionContext,
  response: AppResponse,
  headers: string[],
  startedAt: number,
  environ: Environ,
): Promise<void> {
  let bytes = 0;
  let ok = true;
  try {
    res.writeHead(response.status, response.reason, headers);
    for await (const chunk of response.body) {
      if (res.destroyed) {
        ok = false;
        break;
      }
      bytes += chunk.length;
      if (!res.write(chunk)) {
        guardSocket(req.socket, context, 0);
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    res.end();
    guardSocket(req.socket, context);
  } catch (error) {
    ok = false;
    context.log.error(`response cut short: ${(error as Error)?.message ?? error}`);
    res.destroy();
  } finally {
    await response.close();
  }
  responded(req, res, context, response.status, ok, bytes, startedAt, environ);
}

function responded(
  req: IncomingMessage,
  res: ServerResponse,
  context: ConnectionContext,
  status: number,
  ok: boolean,
  bytes: number,
  startedAt: number,
  environ: Environ,
): void {
  // Cut short: the peer went away before everything was handed to the kernel.
  const aborted = !ok || (res.destroyed && !res.writableFinished);
  doneHttp(req, context, status, bytes, startedAt, aborted ? 'aborted' : undefined, true, environ);
}

/** Refilled for each request that ends here (request-done.ts): no record allocated per request. */
const finished = new RequestRecord();

/** requestDone for a node:http request. */
function doneHttp(
  req: IncomingMessage,
  context: ConnectionContext,
  status: number,
  bytes: number,
  startedAt: number,
  outcome: Outcome,
  counted: boolean,
  environ: Environ | undefined,
): void {
  const request = finished;
  request.remote = req.socket.remoteAddress;
  request.method = req.method ?? '-';
  request.uri = req.url ?? '-';
  request.status = status;
  request.bytes = bytes;
  request.startedAt = startedAt;
  request.outcome = outcome;
  request.counted = counted;
  request.environ = environ;
  requestDone(context, request);
}

function handleUpgrade(
  upgrade: UpgradeHandler,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  context: ConnectionContext,
  https: boolean,
): void {
  const startedAt = context.log.requests === false ? 0 : performance.now();
  let environ: Environ;
  try {
    environ = buildEnviron(req, context, https);
  } catch (error) {
    const refusal = errorResponse(error);
    context.log.warn((error as Error).message);
    socket.end(`HTTP/1.1 ${refusal.statusLine}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    doneHttp(req, context, refusal.status, 0, startedAt, undefined, false, undefined);
    return;
  }
  environ['wsgi.input'] = createInput(undefined);
  let logged = false;
  const done = (status: number, bytes: number, aborted = false) => {
    if (logged) return;
    logged = true;
    doneHttp(
      req,
      context,
      status,
      bytes,
      startedAt,
      aborted ? 'aborted' : undefined,
      true,
      environ,
    );
  };
  const target = {
    get closed() {
      return socket.destroyed;
    },
    write: (bytes: Uint8Array) => socket.write(bytes),
    waitDrain: () =>
      new Promise<boolean>((resolve) => {
        const finish = (ok: boolean) => () => {
          socket.off('drain', onDrain);
          socket.off('close', onClose);
          resolve(ok);
        };
        const onDrain = finish(true);
        const onClose = finish(false);
        socket.once('drain', onDrain);
        socket.once('close', onClose);
      }),
  };
  const respond = async (response: AppResponse) => {
    const outcome = await writeResponse(target, response, req.method === 'HEAD', context.log);
    done(outcome.status, outcome.bytes, !outcome.ok);
    if (outcome.ok) socket.end();
    else socket.destroy();
  };
  try {
    upgrade({ environ, socket, head, respond, done }, context);
  } catch (error) {
    context.log.error(`upgrade handler failed: ${(error as Error)?.stack ?? error}`);
    socket.destroy();
  }
}

/** An HTTP connection as the connection cap sees it. */
class HttpConnection {
  readonly socket: Socket;
  /** The response being written (error bytes must stay out of its body). */
  response: ServerResponse | undefined;
  /** bytesRead when that request was handed over: more since means a new request started. */
  mark = 0;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  idle(): boolean {
    const res = this.response;
    return (res === undefined || res.writableFinished) && this.socket.bytesRead === this.mark;
  }

  evict(): void {
    this.socket.destroy();
  }
}

const connections = new WeakMap<object, HttpConnection>();

function serveRequest(
  req: IncomingMessage,
  res: ServerResponse,
  context: ConnectionContext,
  https: boolean,
): void {
  if (context.options.httpKeepaliveMs === 0) res.shouldKeepAlive = false;
  const connection = connections.get(req.socket);
  if (connection) {
    connection.response = res;
    connection.mark = req.socket.bytesRead;
  }
  let handled: Promise<void>;
  try {
    handled = handleRequest(req, res, context, https);
  } catch (error) {
    handled = Promise.reject(error);
  }
  handled.catch((error) => {
    context.log.error(`request failed: ${(error as Error)?.stack ?? error}`);
    res.destroy();
  });
}

export interface HttpHandler {
  server: Server;
  /** Hands an accepted socket to node:http. */
  handle(socket: Socket): void;
  /**
   * A stop began: every response from now on closes its connection, and connections idle or
   * that sent nothing yet close now.
   */
  closeIdle(): void;
}

/** The HTTP/1.1 connection handler behind `--http`/`--http-socket` (and https for TLS sockets). */
export function createHttpHandler(context: ConnectionContext, https = false): HttpHandler {
  const { options } = context;
  let stopping = false;
  /** Responses pipelined behind another (no socket yet): a stop must still make them close. */
  const queued = new Set<ServerResponse>();
  const waitingSocket = (res: ServerResponse) => {
    queued.add(res);
    res.once('socket', () => queued.delete(res));
    res.once('close', () => queued.delete(res));
  };
  /** Every socket handed to node:http and still open (to close the unused ones at a stop). */
  const sockets = new Set<Socket>();
  const server = createServer(
    {
      maxHeaderSize: options.bufferSize,
      // A missing Host is refused by buildEnviron, with a log line and a request line.
      requireHostHeader: false,
      requestTimeout: 0,
      headersTimeout: options.socketTimeoutMs,
      // node checks headersTimeout on this timer (default 30 s), finer than socket-timeout.
      connectionsCheckingInterval: Math.min(1000, options.socketTimeoutMs),
      // Idle time between requests (--http-keepalive). node advertises it as Keep-Alive: timeout=N
      // and closes one second later; on the next request's first byte the timer is cleared and
      // headersTimeout (socket-timeout) bounds the head, so neither cuts the other.
      keepAliveTimeout: options.httpKeepaliveMs || 1,
    },
    (req, res) => {
      if (stopping) res.shouldKeepAlive = false;
      else if (!res.socket) waitingSocket(res);
      serveRequest(req, res, context, https);
    },
  );
  // Expect: 100-continue. node would send 100 Continue unasked; a body over limit-post must get
  // its 413 at once instead (the client then never sends it).
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length']);
    if (!(options.limitPost > 0 && declared > options.limitPost)) {
      // Pipelined behind another response, node buffers the 100 and would put this response's
      // head before it (inside the stream the client reads): send it once the socket is this
      // response's, and not at all if the app has answered by then (RFC 9110 10.1.1 allows it).
      const sendContinue = () => {
        if (!res.headersSent) res.writeContinue();
      };
      if (res.socket) sendContinue();
      else res.once('socket', sendContinue);
    }
    if (stopping) res.shouldKeepAlive = false;
    serveRequest(req, res, context, https);
  });
  // CONNECT asks for a tunnel, which a WSGI app cannot be: node would close without a word.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    context.log.warn(`CONNECT ${JSON.stringify((req.url ?? '').slice(0, 200))}: 405`);
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  const upgrade = context.upgrade;
  if (upgrade) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      handleUpgrade(upgrade, req, socket, head, context, https);
    });
  }
  // Sockets come from our own listeners (server.listen() is never called), and node only starts
  // tracking connections for headersTimeout on 'listening': without this, a client that stalls
  // mid-headers (slowloris) is never closed.
  server.emit('listening');
  // node's keep-alive timer keeps running while the next request's head arrives (it is cleared
  // only once the head is whole), so a client pausing mid-head would be cut by it. Only an idle
  // connection closes here; a head that has begun is bounded by headersTimeout (socket-timeout).
  server.on('timeout', (socket: Socket) => {
    if (connections.get(socket)?.idle() === false) socket.setTimeout(0);
    else socket.destroy();
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const code = error.code;
    // The client went away (a reset): no request to answer, nothing malformed to report.
    if (code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const current = connections.get(socket)?.response;
    // The request being answered was read whole: the bad bytes are a later, pipelined request.
    if (current && !current.writableFinished && current.req.complete) {
      // Garbage pipelined behind a request still being answered: an error response now would land
      // inside that response's body. Finish it, then close without a word.
      context.log.warn(
        `malformed HTTP request (${code ?? error.message}) while answering: closing`,
      );
      current.shouldKeepAlive = false;
      if (current.destroyed) socket.destroy();
      else current.once('close', () => socket.destroy());
      return;
    }
    if (current && !current.writableFinished && current.headersSent) {
      // The body of the request being answered is malformed, after its response began.
      context.log.warn(`malformed HTTP request body (${code ?? error.message}): closing`);
      socket.destroy();
      return;
    }
    const send = (answer: string) => socket.end(answer);
    const remote = (socket as Socket).remoteAddress;
    if (code === 'HPE_HEADER_OVERFLOW') {
      refuseUnread(context, 431, remote, code, send);
    } else if (!socket.writable) {
      socket.destroy();
    } else if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      refuseUnread(context, 408, remote, code, send);
    } else {
      refuseUnread(context, 400, remote, code ?? error.message, send);
    }
  });
  return {
    server,
    handle(socket) {
      socket.setTimeout(0);
      const cap = context.connections;
      if (cap) {
        const connection = new HttpConnection(socket);
        connections.set(socket, connection);
        cap.add(connection);
        socket.once('close', () => cap.delete(connection));
      }
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      server.emit('connection', socket);
    },
    closeIdle() {
      stopping = true;
      for (const res of queued) res.shouldKeepAlive = false;
      // A response whose head is out already said keep-alive: node re-arms this timeout when it
      // finishes, and our 'timeout' handler then closes the connection, idle from then on.
      server.keepAliveTimeout = 1;
      server.closeIdleConnections();
      for (const socket of sockets) {
        const busy = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
        // node's idle list leaves out a connection that never sent a byte.
        if (!busy && socket.bytesRead === 0) socket.destroy();
      }
    },
  };
}
