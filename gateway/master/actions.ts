/**
 * The CLI actions that talk to a running master: `--stop PIDFILE` (SIGTERM, graceful),
 * `--reload PIDFILE` (SIGHUP), `--connect-and-read ADDR` (print a stats document), and
 * `--daemonize LOGFILE` (re-run this command detached, output to the file).
 */
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { openLog } from '../logging/log-file.js';
import { connectAndRead } from '../stats/connect-and-read.js';
import { signalPidfile } from './pidfile.js';

export const DAEMON_ENV = 'TSGI_INTERNAL_DAEMONIZED';

export type ControlAction =
  | { kind: 'stop'; pidfile: string }
  | { kind: 'reload'; pidfile: string }
  | { kind: 'connect-and-read'; address: string };

/** Runs one control action; resolves with the exit code. */
export async function runControlAction(action: ControlAction): Promise<number> {
  try {
    if (action.kind === 'connect-and-read') {
      process.stdout.write(`${await connectAndRead(action.address)}\n`);
      return 0;
    }
    const signal = action.kind === 'stop' ? 'SIGTERM' : 'SIGHUP';
    const pid = signalPidfile(action.pidfile, signal);
    process.stdout.write(`tsgi: sent ${signal} to ${pid} (${action.kind})\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`tsgi: ${(error as Error).message}\n`);
    return 1;
  }
}

/**
 * --daemonize: start the same command again, detached in its own session, stdout and stderr
 * appended to LOGFILE; this process then exits. The child knows by DAEMON_ENV not to do it again.
 * Returns the child's pid, or null when this process is the daemon already.
 */
export function daemonize(logfile: string, startDir = process.cwd()): number | null {
  if (process.env[DAEMON_ENV] === '1') return null;
  const fd = openLog(logfile);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    // The same command must find the same relative config files (it applies chdir itself).
    cwd: startDir,
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  child.unref();
  closeSync(fd);
  return child.pid ?? 0;
}
