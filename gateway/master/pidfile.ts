/** --pidfile, and `tsgi --stop PIDFILE` / `--reload PIDFILE` (signal the pid it holds). */
import { readFileSync, writeFileSync } from 'node:fs';
import { processError } from './errors.js';

export function writePidfile(path: string, pid = process.pid): void {
  writeFileSync(path, `${pid}\n`);
}

export function readPidfile(path: string): number {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw processError('ERR_MASTER_PIDFILE', `${path}: cannot read it`, cause);
  }
  const pid = Number(text.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw processError(
      'ERR_MASTER_PIDFILE',
      `${path}: ${JSON.stringify(text.trim())} is not a pid`,
    );
  }
  return pid;
}

/** Sends `signal` to the master named by the pidfile; throws a coded error if it is not running. */
export function signalPidfile(path: string, signal: NodeJS.Signals): number {
  const pid = readPidfile(path);
  try {
    process.kill(pid, signal);
  } catch (cause) {
    throw processError('ERR_MASTER_PIDFILE', `${path}: pid ${pid} is not running`, cause);
  }
  return pid;
}
