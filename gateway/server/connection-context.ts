/**
 * What every connection handler of a worker shares, whatever the protocol (uwsgi, HTTP) and the
 * transport (a raw libuv handle, a net.Socket, TLS): the app, the resolved options, the logger,
 * the uwsgi signal registry, the request counter, the connection cap, and the handler that
 * takes over protocol upgrades (with the request it is given: they refer to each other).
 */
import type { Duplex } from 'node:stream';
import type { App, AppResponse, Environ } from '../../src/index.js';
import type { Logger } from '../logging/logger.js';
import type { RequestLineFormat } from '../logging/request-line.js';
import type { ConnectionCap } from './connection-cap.js';
import type { ResolvedServerOptions } from './options.js';
import type { UwsgiSignalRegistry } from './uwsgi-signals.js';

/**
 * What every connection handler shares: the app, the resolved options, the logger and the uwsgi
 * signal registry.
 */
export interface ConnectionContext {
  readonly app: App;
  readonly options: ResolvedServerOptions;
  readonly log: Logger;
  /** The request log line's format (logging/request-line.ts); the default line when absent. */
  readonly requestLine?: RequestLineFormat;
  readonly signals: UwsgiSignalRegistry;
  /** Called after each HTTP request (not ping/echo/signal), e.g. for a worker's request count. */
  readonly onRequestDone?: (status: number) => void;
  /** Serves requests that ask for a protocol upgrade on HTTP sockets (see UpgradeRequest). */
  readonly upgrade?: UpgradeHandler;
  /** The worker's open connections and their cap (set by serveListeners). */
  readonly connections?: ConnectionCap;
}

/**
 * A request on an HTTP socket that asks to switch protocols (`Connection: upgrade` with an
 * `Upgrade` header, e.g. a WebSocket handshake). The handler owns the socket from here.
 */
export interface UpgradeRequest {
  /** Built exactly as for any request; `wsgi.input` is empty (an upgrade request has no body). */
  readonly environ: Environ;
  /** The connection, detached from the HTTP parser. */
  readonly socket: Duplex;
  /** Bytes the client sent after the request head (the first frames, for a WebSocket). */
  readonly head: Buffer;
  /**
   * Writes an ordinary HTTP response (the app did not take the upgrade, or answered an error),
   * logs and counts it like any request, then closes the connection.
   */
  respond(response: AppResponse): Promise<void>;
  /** Logs and counts a request the handler served itself (e.g. a WebSocket that ended). */
  done(status: number, bytes: number, aborted?: boolean): void;
}

/**
 * Set on ConnectionContext.upgrade to serve upgrade requests on --http / --http-socket; without
 * it such requests are served as ordinary requests (the app sees the Upgrade header).
 */
export type UpgradeHandler = (request: UpgradeRequest, context: ConnectionContext) => void;
