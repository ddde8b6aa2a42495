/** serve(): bind, attach, log where it listens. The single-process gateway (and the CLI's core). */
import type { App } from '../../src/index.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { formatAddress } from './address.js';
import type { UpgradeHandler } from './http-server.js';
import { bindListeners, type Listener } from './listeners.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import { serveListeners } from './serve-listeners.js';
import { type UwsgiSignalRegistry, uwsgiSignals } from './uwsgi-signals.js';

export interface ServeOptions extends ServerOptions {
  /** Where log lines go (default: stderr). */
  logger?: Logger;
  /** The uwsgi signal registry (default: the process-wide `uwsgiSignals`). */
  signals?: UwsgiSignalRegistry;
  /** Serves protocol upgrade requests on HTTP sockets (see UpgradeRequest in http-server.ts). */
  upgrade?: UpgradeHandler;
}

export interface Gateway {
  readonly listeners: readonly Listener[];
  /** Bound addresses by kind, e.g. `{ kind: 'uwsgi', address: '127.0.0.1:40123' }`. */
  readonly addresses: ReadonlyArray<{ kind: Listener['kind']; address: string }>;
  close(options?: { force?: boolean }): Promise<void>;
}

export async function serve(app: App, options: ServeOptions = {}): Promise<Gateway> {
  const resolved = resolveServerOptions(options);
  const log = options.logger ?? createLogger({ disableLogging: resolved.disableLogging });
  const listeners = await bindListeners(resolved, log);
  const serving = serveListeners(listeners, {
    app,
    options: resolved,
    log,
    signals: options.signals ?? uwsgiSignals,
    ...(options.upgrade ? { upgrade: options.upgrade } : {}),
  });
  const addresses = listeners.map((l) => ({ kind: l.kind, address: formatAddress(l.bound) }));
  for (const { kind, address } of addresses) log.info(`${kind} socket bound to ${address}`);
  return { listeners, addresses, close: (o) => serving.close(o) };
}
