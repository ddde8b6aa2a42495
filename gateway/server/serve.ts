/** serve(): bind, attach, log where it listens. The single-process gateway (and the CLI's core). */
import type { App, LifespanHooks } from '../../src/index.js';
import { BackgroundWork } from '../extensions/background-work.js';
import { runShutdown } from '../extensions/lifespan.js';
import { withExtensions } from '../extensions/with-extensions.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { RequestLineFormat } from '../logging/request-line.js';
import { WebSocketRegistry } from '../websocket/registry.js';
import { formatAddress } from './address.js';
import type { UpgradeHandler } from './connection-context.js';
import { bindListeners, type Listener } from './listeners.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import { serveListeners } from './serve-listeners.js';
import { type UwsgiSignalRegistry, uwsgiSignals } from './uwsgi-signals.js';
import { websocketSettings } from './websocket-settings.js';
import { websocketUpgrade } from './websocket-upgrade.js';

/** Options of serve: ServerOptions plus the logger, uwsgi signals, upgrades and the lifespan hooks. */
export interface ServeOptions extends ServerOptions {
  /** Where log lines go (default: stderr). */
  logger?: Logger;
  /** The request line's format, from logging/request-line.ts (default: the plain line). */
  requestLine?: RequestLineFormat;
  /** The uwsgi signal registry (default: the process-wide `uwsgiSignals`). */
  signals?: UwsgiSignalRegistry;
  /** Serves protocol upgrade requests on HTTP sockets (see UpgradeRequest in http-server.ts). */
  upgrade?: UpgradeHandler;
  /** `tsgi.state` for every request (what the app's startup hook returned). */
  state?: unknown;
  /** Run by a graceful close(), after the background work, with `state`. */
  shutdown?: LifespanHooks['shutdown'];
  /** Seconds a graceful close() gives tsgi.waitUntil work, then the shutdown hook. Default 30. */
  shutdownTimeout?: number;
}

/** A running gateway from serve: its listeners and `close()`. */
export interface Gateway {
  readonly listeners: readonly Listener[];
  /** Bound addresses by kind, e.g. `{ kind: 'uwsgi', address: '127.0.0.1:40123' }`. */
  readonly addresses: ReadonlyArray<{ kind: Listener['kind']; address: string }>;
  close(options?: { force?: boolean }): Promise<void>;
}

/** Serves an app in this process on the sockets the options name (no master, no workers): the gateway as a library. */
export async function serve(app: App, options: ServeOptions = {}): Promise<Gateway> {
  const resolved = resolveServerOptions(options);
  const log = options.logger ?? createLogger({ disableLogging: resolved.disableLogging });
  const listeners = await bindListeners(resolved, log);
  const background = new BackgroundWork(log);
  const websockets = new WebSocketRegistry();
  const timeout = options.shutdownTimeout ?? 30;
  const serving = serveListeners(listeners, {
    app: withExtensions(app, background.waitUntil, options.state),
    options: resolved,
    log,
    ...(options.requestLine ? { requestLine: options.requestLine } : {}),
    signals: options.signals ?? uwsgiSignals,
    upgrade: options.upgrade ?? websocketUpgrade(websocketSettings(options, log.warn), websockets),
  });
  const addresses = listeners.map((l) => ({ kind: l.kind, address: formatAddress(l.bound) }));
  for (const { kind, address } of addresses) log.info(`${kind} socket bound to ${address}`);
  const close = async (o: { force?: boolean } = {}) => {
    websockets.goAway();
    await serving.close(o);
    if (o.force) return;
    await background.finish(timeout);
    const hooks = options.shutdown ? { shutdown: options.shutdown } : {};
    const problem = await runShutdown(hooks, options.state, timeout);
    if (problem) log.error(problem);
  };
  return { listeners, addresses, close };
}
