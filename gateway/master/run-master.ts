/**
 * `tsgi --master`: bind (as root if need be), write the pidfile, open the stats socket and the
 * FIFO, drop privileges, then hand over to the Arbiter loop. Cleans up (vacuum) on the way out.
 * The master never loads the app.
 */
import { dirname, resolve } from 'node:path';
import { parseAppSpec } from '../app/load-app.js';
import { configChanges, type GatewayConfig, loadConfig } from '../config/index.js';
import { LogFile } from '../logging/log-file.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { formatAddress, isLoopback, parseAddress } from '../server/address.js';
import { listenerSpecs } from '../server/listeners.js';
import { resolveServerOptions } from '../server/options.js';
import {
  type OwnedFile,
  releaseRemover,
  removeOwnedFile,
  startRemover,
} from '../server/owned-files.js';
import type { InheritedSocket } from '../server/socket-activation.js';
import { type StatsServer, startStatsServer } from '../stats/server.js';
import { serverOptionsFromConfig } from '../worker/server-options.js';
import { Arbiter } from './arbiter.js';
import { type BoundHandle, bindHandles, socketFile } from './bind.js';
import { processError } from './errors.js';
import { type MasterFifo, openMasterFifo } from './fifo.js';
import { dropPrivileges, resolveIdentity, resolveOwner } from './identity.js';
import { ParentWatch } from './parent-watch.js';
import { writePidfile } from './pidfile.js';
import { FIFO_ACTIONS, type MasterAction, SIGNAL_ACTIONS } from './signals.js';
import { AppFilesWatch, TouchFiles } from './watch.js';

export interface MasterRun {
  config: GatewayConfig;
  app: string;
  version: string;
  /** For re-reading the configuration on reload. */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  /** The directory tsgi started in (before chdir): config files are re-read from there. */
  cwd: string;
  /** Sockets from systemd socket activation, taken by the CLI. */
  inherited?: InheritedSocket[];
}

function masterLogger(config: GatewayConfig, file: LogFile | null): Logger {
  return createLogger({
    disableLogging: config.disableLogging,
    ...(file ? { write: (line: string) => file.write(`${line}\n`) } : {}),
  });
}

/** Runs a setup step; on failure logs its coded message and returns null (the master exits 3). */
function attempt<T>(log: Logger, step: () => T): T | null {
  try {
    return step();
  } catch (error) {
    log.error((error as Error).message);
    return null;
  }
}

export async function runMaster(run: MasterRun): Promise<number> {
  const { config } = run;
  let logFile: LogFile | null = null;
  try {
    if (config.logto !== null) logFile = new LogFile(config.logto);
  } catch (error) {
    masterLogger(config, null).error((error as Error).message);
    return 3;
  }
  const log = masterLogger(config, logFile);
  const cleanups: Array<() => void> = [];
  /** Files this master created besides the sockets: pidfile, FIFOs, the stats socket. */
  const created: OwnedFile[] = [];
  let handles: BoundHandle[] = [];
  let stats: StatsServer | null = null;
  const fifos: MasterFifo[] = [];
  try {
    // Resolved before anything is bound or created: an unknown user leaves nothing behind.
    const identity = attempt(log, () => resolveIdentity(config.uid, config.gid));
    if (!identity) return 3;
    const options = resolveServerOptions({
      ...serverOptionsFromConfig(config),
      ...(run.inherited ? { inherited: run.inherited } : {}),
    });
    try {
      const specs = listenerSpecs(options);
      handles = await bindHandles(
        specs,
        {
          chmodSocket: options.chmodSocket,
          chownSocket: config.chownSocket !== null ? resolveOwner(config.chownSocket) : null,
        },
        log,
      );
    } catch (error) {
      log.error((error as Error).message);
      return 3;
    }
    for (const b of handles) {
      log.info(`master: ${b.spec.kind} socket bound to ${formatAddress(b.bound)}`);
    }
    if (config.pidfile !== null) {
      const pidfile = config.pidfile;
      const written = attempt(log, () => writePidfile(pidfile));
      if (!written) return 3;
      created.push(written);
    }

    let arbiter: Arbiter | undefined;
    const queue = (action: MasterAction, source: string) => arbiter?.request(action, source);
    for (const path of config.masterFifo) {
      const opened = attempt(log, () =>
        openMasterFifo(path, (letter) => {
          const action = FIFO_ACTIONS.get(letter);
          if (action) queue(action, `fifo ${JSON.stringify(letter)}`);
          else
            log.warn(
              processError('ERR_MASTER_UNKNOWN_FIFO_COMMAND', JSON.stringify(letter)).message,
            );
        }),
      );
      if (!opened) return 3;
      fifos.push(opened);
      created.push(opened.file);
    }

    const touch = new TouchFiles(config.touchReload);
    const chain = new TouchFiles(config.touchChainReload);
    // After chdir: the app path is relative to the directory the workers run in.
    const appDir = dirname(resolve(parseAppSpec(run.app).path));
    const autoreload =
      config.autoreload > 0 ? new AppFilesWatch(appDir, config.autoreload * 1000) : null;

    let current = config;
    const parent = new ParentWatch(config.daemonize === null && !config.disableParentWatch);
    arbiter = new Arbiter({
      config,
      app: run.app,
      handles,
      log,
      logFile,
      version: run.version,
      reloadConfig: () => {
        const next = reloadConfig(run, current, log);
        if (next) current = next;
        return next;
      },
      poll: (now) => {
        const out: Array<{ action: MasterAction; source: string }> = [];
        for (const f of touch.changed())
          out.push({ action: 'reload', source: `touch-reload ${f}` });
        for (const f of chain.changed())
          out.push({ action: 'chain-reload', source: `touch-chain-reload ${f}` });
        const changed = autoreload?.poll(now);
        if (changed) out.push({ action: 'reload', source: `autoreload: ${changed} changed` });
        const orphaned = parent.gone();
        if (orphaned) out.push({ action: 'stop', source: orphaned });
        return out;
      },
    });

    if (config.stats !== null) {
      const a = arbiter;
      try {
        stats = await startStatsServer(
          config.stats,
          { document: () => a.statsDocument(), byStatus: () => a.byStatus() },
          { http: config.statsHttp },
        );
      } catch (error) {
        log.error((error as Error).message);
        return 3;
      }
      log.info(
        `master: stats server on ${stats.address}${config.statsHttp ? ' (http, /metrics)' : ''}`,
      );
      const statsAddress = parseAddress(config.stats);
      const bare = config.stats.trim().startsWith(':'); // Bound to loopback by startStatsServer.
      if (statsAddress.type === 'tcp' && !bare && !isLoopback(statsAddress)) {
        log.warn(`master: stats on ${stats.address} are readable from the network (not loopback)`);
      }
      if (stats.file) created.push(stats.file);
    }

    if (identity.uid !== null && identity.uid !== 0 && process.geteuid?.() === 0) {
      // The new user may not be allowed to unlink in these directories: a remover keeps root.
      const sockets = handles.flatMap((b) => socketFile(b) ?? []);
      const all = [...sockets, ...created];
      startRemover(all, new Set(config.vacuum ? all : []));
    }
    const dropped = dropPrivileges(identity);
    if (dropped) log.info(`master: now running as ${dropped}`);

    for (const [signal, action] of SIGNAL_ACTIONS) {
      const handler = () => queue(action, signal);
      process.on(signal, handler);
      cleanups.push(() => process.off(signal, handler));
    }
    log.info(
      `master: pid ${process.pid}, ${config.processes} worker(s)${config.cheaper > 0 ? ` (cheaper ${config.cheaper}..${config.processes}, ${config.cheaperAlgo})` : ''}, serving ${run.app}`,
    );
    const code = await arbiter.run();
    log.info(`master: exiting with code ${code}`);
    return code;
  } finally {
    for (const c of cleanups) c();
    for (const f of fifos) f.close();
    await stats?.close();
    for (const b of handles) b.handle.close();
    // Only the files this master made, each if the path still names it (a graceful stop has
    // removed the sockets already).
    if (config.vacuum) {
      for (const file of [...handles.flatMap((b) => socketFile(b) ?? []), ...created]) {
        try {
          removeOwnedFile(file);
        } catch (error) {
          log.warn(`master: vacuum: cannot remove ${file.path}: ${(error as Error).message}`);
        }
      }
    }
    releaseRemover();
    logFile?.close();
  }
}

/** SIGHUP re-reads the configuration; options that need a restart keep their running value. */
function reloadConfig(run: MasterRun, before: GatewayConfig, log: Logger): GatewayConfig | null {
  let after: GatewayConfig;
  try {
    after = loadConfig({ argv: run.argv, env: run.env, cwd: run.cwd }).config;
  } catch (error) {
    log.error(`master: reload keeps the running configuration: ${(error as Error).message}`);
    return null;
  }
  const merged: Record<string, unknown> = { ...after };
  for (const change of configChanges(before, after)) {
    if (change.reload === 'hup') {
      log.info(
        `master: reload applies ${change.name}: ${String(change.before)} → ${String(change.after)}`,
      );
    } else {
      merged[change.key] = change.before;
      log.warn(
        `master: ${change.name} changed, but needs a restart; keeping ${String(change.before)}`,
      );
    }
  }
  return merged as unknown as GatewayConfig;
}
