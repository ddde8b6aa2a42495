#!/usr/bin/env node
/**
 * `tsgi [options] APP`: the only entry that reads argv and calls process.exit.
 * Exit codes: 0 ok, 2 bad configuration, 3 boot failure (cannot bind), 4 app failed to load.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TsgiError } from '../src/errors.js';
import type { LifespanHooks } from '../src/index.js';
import { installLightweightResponse } from './app/lightweight-response.js';
import { loadApp } from './app/load-app.js';
import {
  applyChdir,
  type LoadResult,
  loadConfig,
  needsMaster,
  runnableErrors,
} from './config/index.js';
import { renderHelp } from './config/render-help.js';
import { renderPrintConfig } from './config/render-print-config.js';
import { loadHooks, runStartup } from './extensions/lifespan.js';
import { createLogger } from './logging/logger.js';
import { requestLineFormat } from './logging/request-line.js';
import { daemonize, runControlAction } from './master/actions.js';
import { onParentExit, ParentWatch } from './master/parent-watch.js';
import { runMaster } from './master/run-master.js';
import { type Gateway, serve } from './server/serve.js';
import { type InheritedSocket, takeInheritedSockets } from './server/socket-activation.js';
import { readMemory } from './stats/proc.js';
import { runTop } from './stats/top.js';
import { serverOptionsFromConfig } from './worker/server-options.js';

export const EXIT = { OK: 0, CONFIG: 2, BOOT: 3, APP_LOAD: 4 } as const;

function version(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'tsgi') return pkg.version ?? 'unknown';
    } catch {
      // Not at this level (source vs dist layout): try the next.
    }
  }
  return 'unknown';
}

function describe(error: unknown): string {
  const e = error as { message?: string; cause?: { message?: string } };
  const cause =
    e?.cause?.message && !e.message?.includes(e.cause.message)
      ? `\n  cause: ${e.cause.message}`
      : '';
  return `${e?.message ?? String(error)}${cause}`;
}

/** One block for everything tsgi ignored or read differently (`--strict` makes them errors). */
function printWarnings(warnings: readonly TsgiError[]): void {
  if (warnings.length === 0) return;
  const lines = warnings.map((w) => `  ${w.message}`).join('\n');
  process.stderr.write(
    `tsgi: warning: ${warnings.length} line(s) ignored or read differently (--strict refuses them):\n${lines}\n`,
  );
}

function configFailure(error: unknown): number {
  process.stderr.write(`tsgi: ${describe(error)}\nRun tsgi --help for the options.\n`);
  return EXIT.CONFIG;
}

/** Runs until a stop signal; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // `tsgi top ADDR [SECONDS]`: the live stats view (a subcommand, not an option).
  if (argv[0] === 'top') return runTop(argv[1] ?? '127.0.0.1:9191', Number(argv[2] ?? 2));
  const startDir = process.cwd();
  let result: LoadResult;
  try {
    result = loadConfig({ argv, env: process.env, cwd: startDir });
  } catch (error) {
    return configFailure(error);
  }
  const { action, config } = result;
  if (action.kind === 'run' || action.kind === 'print-config') printWarnings(result.warnings);
  switch (action.kind) {
    case 'help':
      process.stdout.write(`${renderHelp()}\n`);
      return EXIT.OK;
    case 'version':
      process.stdout.write(`tsgi ${version()}\n`);
      return EXIT.OK;
    case 'print-config':
      process.stdout.write(`${renderPrintConfig(result)}\n`);
      return EXIT.OK;
    case 'run':
      break;
    default:
      return runControlAction(action);
  }
  const missing = runnableErrors(result, process.env);
  if (missing.length > 0) {
    for (const error of missing) process.stderr.write(`tsgi: ${error.message}\n`);
    return EXIT.CONFIG;
  }
  const app = result.app!;
  try {
    applyChdir(config, startDir);
  } catch (error) {
    return configFailure(error);
  }
  // The daemon re-reads the same command from the start directory, then changes directory itself.
  if (config.daemonize !== null) {
    try {
      if (daemonize(config.daemonize, startDir) !== null) return EXIT.OK;
    } catch (error) {
      process.stderr.write(`tsgi: ${describe(error)}\n`);
      return EXIT.BOOT;
    }
  }
  const log = createLogger({ disableLogging: config.disableLogging });
  let inherited: InheritedSocket[];
  try {
    // systemd socket activation: the sockets are ours to serve (and not our workers' to take again).
    inherited = takeInheritedSockets(process.env);
  } catch (error) {
    log.error(describe(error));
    return EXIT.BOOT;
  }
  if (inherited.length > 0) {
    const list = inherited.map((s) => `fd ${s.fd}${s.name ? ` (${s.name})` : ''}`).join(', ');
    log.info(`socket activation: serving ${inherited.length} inherited socket(s): ${list}`);
  }
  if (needsMaster(config)) {
    // Only workers load the app; the master binds, supervises and exits with their verdict.
    const cwd = startDir;
    return runMaster({ config, app, version: version(), argv, env: process.env, cwd, inherited });
  }
  let loaded: Awaited<ReturnType<typeof loadApp>>;
  let hooks: LifespanHooks;
  let state: unknown;
  try {
    if (config.overrideGlobalResponse) installLightweightResponse();
    loaded = await loadApp(app, process.cwd(), { log: (line) => log.info(line) });
    hooks = await loadHooks(app);
    state = await runStartup(hooks, app);
  } catch (error) {
    log.error(describe(error));
    return EXIT.APP_LOAD;
  }
  let gateway: Gateway;
  try {
    gateway = await serve(loaded, {
      ...serverOptionsFromConfig(config),
      inherited,
      logger: log,
      // The same line a worker writes; a single process is worker 1, as in uWSGI.
      requestLine: requestLineFormat({ ...config, wid: 1, readMemory }),
      state,
      ...(hooks.shutdown ? { shutdown: hooks.shutdown } : {}),
      shutdownTimeout: config.shutdownTimeout,
    });
  } catch (error) {
    log.error(describe(error));
    return EXIT.BOOT;
  }
  log.info(`ready (pid ${process.pid}), serving ${app}`);
  return waitForStop(gateway, config.reloadMercy, log, !config.disableParentWatch);
}

/** What wakes the stop loop: a signal, the end of reload-mercy, or the graceful close finishing. */
type StopEvent = NodeJS.Signals | 'mercy-expired' | 'closed';

/** Signal handlers only queue; this loop acts. SIGTERM/SIGINT: graceful stop; again or SIGQUIT: now. */
async function waitForStop(
  gateway: Gateway,
  mercySeconds: number,
  log: ReturnType<typeof createLogger>,
  watchParent: boolean,
): Promise<number> {
  const queue: StopEvent[] = [];
  let wake: (() => void) | undefined;
  const enqueue = (event: StopEvent) => {
    queue.push(event);
    wake?.();
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) process.on(signal, enqueue);
  // The parent (npx, a shell script) died without passing its SIGTERM on: stop as if it had.
  onParentExit(new ParentWatch(watchParent), (reason) => {
    log.info(`${reason}: stopping`);
    enqueue('SIGTERM');
  });
  let stopping = false;
  for (;;) {
    if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const event = queue.shift();
    if (event === undefined) continue;
    if (event === 'closed') {
      log.info('graceful stop complete');
      return EXIT.OK;
    }
    if (event === 'SIGQUIT' || event === 'mercy-expired' || stopping) {
      const why = event === 'mercy-expired' ? `reload-mercy (${mercySeconds} s) expired` : event;
      log.info(`${why}: closing every connection now`);
      await gateway.close({ force: true });
      return EXIT.OK;
    }
    stopping = true;
    log.info(`${event}: graceful stop (up to ${mercySeconds} s, reload-mercy)`);
    const timer = setTimeout(() => enqueue('mercy-expired'), mercySeconds * 1000);
    timer.unref();
    gateway.close().then(() => {
      clearTimeout(timer);
      enqueue('closed');
    });
  }
}

function isEntry(): boolean {
  try {
    // Through npm's bin symlink argv[1] is the link: compare real paths.
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`tsgi: fatal: ${(error as Error)?.stack ?? error}\n`);
      process.exit(1);
    },
  );
}
