/**
 * Attaches connection handlers to bound listeners: uwsgi, uwsgi over TLS, HTTP. This is the part
 * a worker process runs (with listeners it got from its master); the app is only needed here.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import { ConnectionCap } from './connection-cap.js';
import type { ConnectionContext } from './connection-context.js';
import { type HttpFastAccept, installHttpFastAccept } from './http-fast-accept.js';
import { createHttpHandler, type HttpHandler } from './http-server.js';
import type { Listener } from './listeners.js';
import { probeFastTransport } from './node-internals.js';
import { refusedUnread } from './request-cycle.js';
import { handleUwsgiConnection } from './uwsgi-connection.js';
import { type FastAccept, installFastAccept } from './uwsgi-fast-accept.js';

/** What serveListeners returns: `close()` stops accepting and waits for open connections. */
export interface Serving {
  /** Stops accepting; resolves when every open connection has ended (or `force` destroyed it). */
  close(options?: { force?: boolean }): Promise<void>;
}

const OPEN = Symbol('tsgi.openSockets');
type TrackedSocket = Socket & { [OPEN]: Set<Socket> };

function untrack(this: TrackedSocket): void {
  this[OPEN].delete(this);
}

const BUSY = 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

/** Serves an app on sockets already bound; returns a handle to stop it. */
export function serveListeners(listeners: Listener[], shared: ConnectionContext): Serving {
  const cap = new ConnectionCap(shared.options.workerConnections, shared.log);
  const context: ConnectionContext = { ...shared, connections: cap };
  /** At the cap with every connection busy: a 503 (a valid reply on uwsgi sockets too), closed. */
  const admitted = (socket: Socket) => {
    if (cap.admit()) return true;
    socket.on('error', () => {});
    // Read (and drop) what the client sends: the socket then sees its FIN and closes, and a
    // client that keeps it open is cut at socket-timeout. Unread, it would stay open forever and
    // a stop would wait for it.
    socket.resume();
    socket.setTimeout(shared.options.socketTimeoutMs, () => socket.destroy());
    socket.end(BUSY);
    refusedUnread(context, socket.remoteAddress, 503);
    return false;
  };
  for (const kind of ['uwsgi', 'http'] as const) {
    if (!listeners.some((l) => l.kind === kind)) continue;
    const probe = probeFastTransport(context.options.disableFastTransport);
    context.log.info(`${kind} fast transport ${probe.on ? 'on' : `off: ${probe.reason}`}`);
  }
  const http: HttpHandler[] = [];
  const fast: FastAccept[] = [];
  const httpFast: HttpFastAccept[] = [];
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    (socket as TrackedSocket)[OPEN] = open;
    // A shared listener, not a once() wrapper and a closure per connection (the hot path).
    socket.on('close', untrack);
  };
  for (const listener of listeners) {
    const { server } = listener;
    // accept() failing for want of descriptors: free some (the next accept then succeeds).
    server.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EMFILE' || error.code === 'ENFILE') cap.outOfDescriptors();
      else context.log.error(`accept on ${listener.spec}: ${error.message}`);
    });
    if (listener.kind === 'uwsgi') {
      server.on('connection', (socket: Socket) => {
        if (!admitted(socket)) return;
        track(socket);
        socket.setNoDelay(true);
        handleUwsgiConnection(socket, context);
      });
      // Most nginx connections are served on their handle; the rest become sockets as above.
      const accept = installFastAccept(server, context, (socket, replay) => {
        track(socket);
        socket.setNoDelay(true);
        handleUwsgiConnection(socket, context, replay);
      });
      if (accept) fast.push(accept);
    } else if (listener.kind === 'uwsgi-ssl') {
      const secureContext: SecureContext = createSecureContext({
        cert: readFileSync(listener.cert!),
        key: readFileSync(listener.key!),
      });
      server.on('connection', (raw: Socket) => {
        if (!admitted(raw)) return;
        track(raw);
        raw.setNoDelay(true);
        const socket = new TLSSocket(raw, { isServer: true, secureContext });
        socket.on('error', (error) => {
          context.log.warn(`TLS on ${listener.spec}: ${error.message}`);
          socket.destroy();
        });
        handleUwsgiConnection(socket, context);
      });
    } else {
      const handler = createHttpHandler(context);
      http.push(handler);
      server.on('connection', (socket: Socket) => {
        if (!admitted(socket)) return;
        track(socket);
        socket.setNoDelay(true);
        handler.handle(socket);
      });
      // Plain HTTP/1.1 on the connection's handle with our codec; node:http takes the rest.
      const accept = installHttpFastAccept(server, context, handler, (socket) => {
        track(socket);
        socket.setNoDelay(true);
      });
      if (accept) {
        fast.push(accept);
        httpFast.push(accept);
      }
    }
  }
  return {
    async close({ force = false } = {}) {
      const closing = listeners.map(
        (l) => new Promise<void>((resolve) => l.server.close(() => resolve())),
      );
      for (const h of http) h.closeIdle();
      for (const f of httpFast) f.closeIdle();
      if (force) {
        for (const socket of open) socket.destroy();
        for (const f of fast) f.destroyAll();
      }
      await Promise.all(closing);
    },
  };
}
