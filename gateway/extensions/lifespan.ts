/**
 * The app module's start-up and shut-down hooks (`export async function startup()` and
 * `export async function shutdown(state)` next to the app): start-up runs once per process before
 * it accepts, shut-down when it stops gracefully (stop, reload, recycling), bounded by
 * shutdown-timeout. Only the process that loads the app (a worker) runs them.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LifespanHooks } from '../../src/index.js';
import { parseAppSpec } from '../app/load-app.js';
import { gatewayError } from '../errors.js';

type Hook = (...args: unknown[]) => unknown;

function hookOf(module: Record<string, unknown>, name: string): Hook | undefined {
  let hook = module[name];
  // A CommonJS module seen from ESM: its exports object is the default export.
  if (hook === undefined) hook = (module.default as Record<string, unknown> | undefined)?.[name];
  if (hook === undefined) return undefined;
  if (typeof hook !== 'function') {
    throw gatewayError(
      'ERR_GATEWAY_APP_EXPORT',
      `export \`${name}\` is ${typeof hook}, not a function`,
    );
  }
  return hook as Hook;
}

/** Reads `startup` and `shutdown` from the app's module (loadApp imported it already: cached). */
export async function loadHooks(spec: string, cwd = process.cwd()): Promise<LifespanHooks> {
  const file = resolve(cwd, parseAppSpec(spec).path);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const startup = hookOf(module, 'startup');
  const shutdown = hookOf(module, 'shutdown');
  return {
    ...(startup ? { startup: () => startup() } : {}),
    ...(shutdown ? { shutdown: async (state: unknown) => void (await shutdown(state)) } : {}),
  };
}

/** Runs the start-up hook; a failure is an app-load failure (coded, with the cause). */
export async function runStartup(hooks: LifespanHooks, spec: string): Promise<unknown> {
  if (!hooks.startup) return undefined;
  try {
    return await hooks.startup();
  } catch (cause) {
    throw gatewayError(
      'ERR_GATEWAY_APP_STARTUP',
      `${spec}: ${(cause as Error)?.message ?? cause}`,
      cause,
    );
  }
}

/** Runs the shut-down hook for up to `timeoutSeconds`; returns a line to log when it failed or was cut. */
export async function runShutdown(
  hooks: LifespanHooks,
  state: unknown,
  timeoutSeconds: number,
): Promise<string | undefined> {
  if (!hooks.shutdown) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<string>((done) => {
    timer = setTimeout(
      () => done(`shutdown hook cut: still running after ${timeoutSeconds} s (shutdown-timeout)`),
      timeoutSeconds * 1000,
    );
  });
  const ran = Promise.resolve()
    .then(() => hooks.shutdown!(state))
    .then(
      () => undefined,
      (error: unknown) => `shutdown hook failed: ${(error as Error)?.stack ?? error}`,
    );
  try {
    return await Promise.race([ran, cut]);
  } finally {
    clearTimeout(timer);
  }
}
