/**
 * @module tsgi/gateway
 * The uWSGI-style gateway as a library: serve a TSGI app on uwsgi sockets (behind nginx), uwsgi
 * over TLS and HTTP/1.1; the uwsgi codec; the app loader; the uwsgi signal registry.
 */
export {
  installLightweightResponse,
  lightweightResponseClass,
} from './app/lightweight-response.js';
export { loadApp, parseAppSpec } from './app/load-app.js';
export { GATEWAY_ERRORS, type GatewayErrorCode, gatewayError } from './errors.js';
export { createLogger, type Logger, type LoggerOptions } from './logging/logger.js';
export { parseAddress, type SocketAddress } from './server/address.js';
export type { ConnectionContext } from './server/connection-context.js';
export { createHttpHandler } from './server/http-server.js';
export {
  type BindOptions,
  bindListener,
  bindListeners,
  type Listener,
  type ListenerKind,
  type ListenerSpec,
  listenerSpecs,
} from './server/listeners.js';
export {
  type ResolvedServerOptions,
  resolveServerOptions,
  type ServerOptions,
} from './server/options.js';
export { type Gateway, type ServeOptions, serve } from './server/serve.js';
export { type Serving, serveListeners } from './server/serve-listeners.js';
export { handleUwsgiConnection } from './server/uwsgi-connection.js';
export {
  type UwsgiSignalHandler,
  UwsgiSignalRegistry,
  uwsgiSignals,
} from './server/uwsgi-signals.js';
export * as uwsgi from './uwsgi/index.js';
