/**
 * HTTP/1.1 sockets (--http-socket, --http) through node:http, with keep-alive: TLS, connections
 * the raw handle hands over, and every connection under --disable-fast-transport. Each request
 * goes through request-cycle.ts like every other (node-http-exchange.ts is its transport; an
 * upgrade's, upgrade-exchange.ts). What stays here is node:http's own part: the server and its
 * timeouts, 100 Continue, CONNECT, the answers to bytes node cannot parse, the connection cap's
 * view of a connection and a graceful stop. The http.Server never listens itself: it is fed
 * sockets accepted by a Listener, so a master can own the listening handle.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type AppResponse, createInput, type Environ, type TsgiError } from '../../src/index.js';
import type { ConnectionContext, UpgradeHandler } from './connection-context.js';
import { buildEnviron } from './http-environ.js';
import { refuseUnread } from './http-unread-refusal.js';
import { limitedBody, NodeHttpExchange } from './node-http-exchange.js';
import { refuseRequest, requestServed, serveRequest, serveResponse } from './request-cycle.js';
import { UpgradeExchange } from './upgrade-exchange.js';

export type { UpgradeHandler, UpgradeRequest } from './connection-context.js';

function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  context: ConnectionContext,
  https: boolean,
): void {
  // For the request line only: not read when request lines are off.
  const startedAt = context.log.requests === false ? 0 : performance.now();
  const exchange = new NodeHttpExchange(req, res, context, startedAt);
  let environ: Environ;
  try {
    environ = buildEnviron(req, context, https);
  } catch (error) {
    refuseRequest(context, exchange, error as TsgiError, req.method, req.url);
    return;
  }
  // The declared length as the app sees it (addHeader: the last Content-Length wins).
  const declared = environ.CONTENT_LENGTH;
  const hasBody = declared !== undefined || environ.HTTP_TRANSFER_ENCODING !== undefined;
  const length = declared === undefined ? 0 : Number(declared);
  serveRequest(context, exchange, environ, length, hasBody ? limitedBody(exchange) : undefined);
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
  const exchange = new UpgradeExchange(socket, req.httpVersion, startedAt);
  let environ: Environ;
  try {
    environ = buildEnviron(req, context, https);
  } catch (error) {
    refuseRequest(context, exchange, error as TsgiError, req.method, req.url);
    return;
  }
  environ['wsgi.input'] = createInput(undefined);
  // The handler either lets the cycle write a response or serves the socket itself: logged once.
  const respond = async (response: AppResponse) => {
    if (exchange.ended) {
      await response.close();
      return;
    }
    exchange.ended = true;
    await serveResponse(context, exchange, environ, response);
  };
  const done = (status: number, bytes: number, aborted = false) => {
    if (exchange.ended) return;
    exchange.ended = true;
    requestServed(context, exchange, environ, status, bytes, aborted ? 'aborted' : undefined);
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

/** A request node:http has read: tracked for the connection cap, then served by the cycle. */
function onRequest(
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
  try {
    handleRequest(req, res, context, https);
  } catch (error) {
    context.log.error(`request failed: ${(error as Error)?.stack ?? error}`);
    res.destroy();
  }
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
      // buffer-size bytes are accepted: node refuses a head once its count reaches maxHeaderSize.
      // It counts the target and header names and values, as gateway/http/ does for the raw path.
      maxHeaderSize: options.bufferSize + 1,
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
      onRequest(req, res, context, https);
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
    onRequest(req, res, context, https);
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
