/**
 * The TSGI extensions on Lambda: `startup` runs in the init phase (when the handler is built at
 * module load) and each invocation awaits it; `tsgi.waitUntil` work is awaited before the
 * invocation ends, because Lambda freezes the environment once the handler has returned.
 * There is no WebSocket upgrade on Lambda.
 */
import {
  type App,
  type AppResponse,
  backgroundFailure,
  type Environ,
  PendingWork,
  type RunOptions,
  runApp,
  Startup,
  WAIT_UNTIL_KEY,
} from '../../src/index.js';
import type { HandleOptions } from './types.js';

/** Begins the start-up hook now: handle() and streamHandle() are called in the init phase. */
export function initStartup(options: HandleOptions): Startup {
  const startup = new Startup(options.startup ? { startup: options.startup } : undefined);
  if (!startup.ready) void startup.begin();
  return startup;
}

/** Gives the environ its waitUntil; failures are logged with the request id (wsgi.errors). */
export function invocationWork(environ: Environ): PendingWork {
  const errors = environ['wsgi.errors'];
  const work = new PendingWork((error) => errors.write(`${backgroundFailure(error)}\n`));
  environ[WAIT_UNTIL_KEY] = work.waitUntil;
  return work;
}

/** Runs the app once start-up is done (a failed start-up answers 503). */
export async function runAfterStartup(
  app: App,
  environ: Environ,
  startup: Startup,
  run: RunOptions,
): Promise<AppResponse> {
  if (startup.ready) startup.addState(environ);
  else {
    const refused = await startup.wait(environ);
    if (refused) return refused;
  }
  return runApp(app, environ, run);
}
