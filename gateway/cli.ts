#!/usr/bin/env node
/**
 * `tsgi [options] APP`: the only entry that reads argv and calls process.exit.
 * Exit codes: 0 ok, 2 bad configuration, 3 boot failure (cannot bind), 4 app failed to load.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LifespanHooks } from '../src/index.js';
import { loadApp } from './app-loader.js';
import { type GatewayConfig, type LoadResult, loadConfig } from './config/index.js';
import { renderHelp } from './config/render-help.js';
import { renderPrintConfig } from './config/render-print-config.js';
import { loadHooks, runStartup } from './extensions/lifespan.js';
import { createLogger } from './logging/logger.js';
import { daemonize, runControlAction } from './master/actions.js';
import { onParentExit, ParentWatch } from './master/parent-watch.js';
import { needsMaster, runMaster } from './master/run-master.js';
import type { ServerOptions } from './server/options.js';
import { type Gateway, serve } from './server/serve.js';
import { runTop } from './stats/top.js';

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

/** The part of the resolved configuration one serving process uses. */
export function serverOptionsFromConfig(config: GatewayConfig): ServerOptions {
  return {
    socket: [...config.socket],
    sslSocket: [...config.sslSocket],
    httpSocket: [...config.httpSocket],
    http: [...config.http],
    bufferSize: config.bufferSize,
    limitPost: config.limitPost,
    socketTimeout: config.socketTimeout,
    ...(config.chmodSocket === null ? {} : { chmodSocket: config.chmodSocket }),
    listen: config.listen,
    disableLogging: config.disableLogging,
    maxVars: config.maxVars,
    modifier1: [...config.modifier1],
    workerConnections: config.workerConnections,
  };
}

function describe(error: unknown): string {
  const e = error as { message?: string; cause?: { message?: string } };
  const cause =
    e?.cause?.message && !e.message?.includes(e.cause.message)
      ? `\n  cause: ${e.cause.message}`
      : '';
  return `${e?.message ?? String(error)}${cause}`;
}

/** Runs until a stop signal; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // `tsgi top ADDR [SECONDS]`: the live stats view (a subcommand, not an option).
  if (argv[0] === 'top') return runTop(argv[1] ?? '127.0.0.1:9191', Number(argv[2] ?? 2));
  let result: LoadResult;
  try {
    result = loadConfig({ argv, env: process.env, cwd: process.cwd() });
  } catch (error) {
    process.stderr.write(`tsgi: ${describe(error)}\nRun tsgi --help for the options.\n`);
    return EXIT.CONFIG;
  }
  const { action, config } = result;
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
  if (config.daemonize !== null && daemonize(config.daemonize) !== null) return EXIT.OK;
  const log = createLogger({ disableLogging: config.disableLogging });
  if (!result.app) {
    log.error('no APP given: tsgi [options] path/to/app.ts[:export]');
    return EXIT.CONFIG;
  }
  if (needsMaster(config)) {
    // Only workers load the app; the master binds, supervises and exits with their verdict.
    const cwd = process.cwd();
    return runMaster({ config, app: result.app, version: version(), argv, env: process.env, cwd });
  }
  let app: Awaited<ReturnType<typeof loadApp>>;
  let hooks: LifespanHooks;
  let state: unknown;
  try {
    app = await loadApp(result.app, process.cwd(), { log: (line) => log.info(line) });
    hooks = await loadHooks(result.app);
    state = await runStartup(hooks, result.app);
  } catch (error) {
    log.error(describe(error));
    return EXIT.APP_LOAD;
  }
  let gateway: Gateway;
  try {
    gateway = await serve(app, {
      ...serverOptionsFromConfig(config),
      logger: log,
      state,
      ...(hooks.shutdown ? { shutdown: hooks.shutdown } : {}),
      shutdownTimeout: config.shutdownTimeout,
    });
  } catch (error) {
    log.error(describe(error));
    return EXIT.BOOT;
  }
  log.info(`ready (pid ${process.pid}), serving ${result.app}`);
  return waitForStop(gateway, config.reloadMercy, log);
}

/** Signal handlers only queue; this loop acts. SIGTERM/SIGINT: graceful stop; again or SIGQUIT: now. */
async function waitForStop(
  gateway: Gateway,
  mercySeconds: number,
  log: ReturnType<typeof createLogger>,
): Promise<number> {
  const queue: NodeJS.Signals[] = [];
  let wake: (() => void) | undefined;
  const enqueue = (signal: NodeJS.Signals) => {
    queue.push(signal);
    wake?.();
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) process.on(signal, enqueue);
  // The parent (npx, a shell script) died without passing its SIGTERM on: stop as if it had.
  onParentExit(new ParentWatch(), (reason) => {
    log.info(`${reason}: stopping`);
    enqueue('SIGTERM');
  });
  let stopping = false;
  for (;;) {
    if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const signal = queue.shift();
    if (signal === undefined) continue;
    if (signal === 'SIGQUIT' || stopping) {
      log.info(`${signal}: closing every connection now`);
      await gateway.close({ force: true });
      return EXIT.OK;
    }
    stopping = true;
    log.info(`${signal}: graceful stop (up to ${mercySeconds} s, reload-mercy)`);
    const timer = setTimeout(() => enqueue('SIGQUIT'), mercySeconds * 1000);
    timer.unref();
    gateway.close().then(() => {
      clearTimeout(timer);
      queue.push('SIGQUIT');
      wake?.();
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
