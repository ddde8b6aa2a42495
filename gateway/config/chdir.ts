/**
 * `chdir` as uWSGI applies it: once, at start-up, after the configuration is read (config files,
 * pidfile, daemonize and logto are relative to the start directory) and before the sockets are
 * bound and the app is loaded (so those paths are relative to the new directory). Workers
 * inherit the directory; only they load the app.
 */
import { resolve } from 'node:path';
import { configError } from './errors.js';
import type { GatewayConfig } from './options.js';

/** Changes the process directory; returns the absolute directory, or null when none is set. */
export function applyChdir(config: GatewayConfig, startDir: string): string | null {
  if (config.chdir === null) return null;
  const dir = resolve(startDir, config.chdir);
  try {
    process.chdir(dir);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw configError('ERR_CONFIG_CHDIR', `chdir ${dir} (${reason})`, error);
  }
  return dir;
}
