/**
 * Every process the bench starts goes through here, so each one is stopped by its PID: after a
 * scenario, on error, on Ctrl-C and at exit. Children run in their own process group (detached)
 * so the group (nginx workers, uWSGI workers, gateway workers) can be killed by the leader's PID
 * when the leader does not take its children down itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { recordGroup, withRunMarker } from '../../helpers/process-group.js';

export interface Tracked {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) when the process has exited. */
  readonly exited: Promise<number | string>;
  /** File that holds the process's stdout and stderr. */
  readonly logFile: string | undefined;
  /** Graceful signal, then SIGKILL to the whole group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Last lines of the log, for error messages. */
  tail(lines?: number): string;
  /** False once the process has exited. */
  alive(): boolean;
}

const live = new Map<number, { child: ChildProcess; name: string }>();

export interface SpawnOptions {
  name: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Signal that asks the program to shut down cleanly (nginx: SIGQUIT, uWSGI: SIGINT). */
  stopSignal?: NodeJS.Signals;
  logFile?: string;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function spawnTracked(cmd: string, args: readonly string[], options: SpawnOptions): Tracked {
  const fd = options.logFile ? openSync(options.logFile, 'a') : undefined;
  const child = spawn(cmd, args, {
    cwd: options.cwd,
    env: withRunMarker(options.env ?? process.env),
    detached: true,
    stdio: ['ignore', fd ?? 'ignore', fd ?? 'ignore'],
  });
  if (child.pid !== undefined) recordGroup(child.pid);
  if (fd !== undefined) closeSync(fd);
  if (child.pid === undefined) {
    throw new Error(`could not start ${options.name}: ${cmd} ${args.join(' ')}`);
  }
  const pid = child.pid;
  live.set(pid, { child, name: options.name });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(pid);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (err) => {
      live.delete(pid);
      resolve(`error: ${err.message}`);
    });
  });
  const stopSignal = options.stopSignal ?? 'SIGTERM';
  return {
    name: options.name,
    pid,
    exited,
    logFile: options.logFile,
    async stop(graceMs = 5000) {
      if (live.has(pid)) {
        try {
          process.kill(pid, stopSignal);
        } catch {
          // Already gone.
        }
        const timer = new Promise<'timeout'>((r) => setTimeout(r, graceMs, 'timeout').unref());
        if ((await Promise.race([exited, timer])) === 'timeout') killGroup(pid, 'SIGKILL');
        await exited;
      }
      // Workers that outlived their master would keep ports and CPU: take the group down.
      killGroup(pid, 'SIGKILL');
    },
    alive: () => live.has(pid),
    tail(lines = 20) {
      if (!options.logFile) return '';
      try {
        return readFileSync(options.logFile, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
  };
}

/** Runs a command to completion (bounded by `timeoutMs`) and returns its stdout. */
export function runTracked(
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string; code: number | string }> {
  const child = spawn(cmd, args, {
    env: withRunMarker(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid !== undefined) recordGroup(pid);
  if (pid !== undefined) live.set(pid, { child, name: cmd });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const timer = setTimeout(() => pid !== undefined && killGroup(pid, 'SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      if (pid !== undefined) live.delete(pid);
      resolve({ stdout, stderr: err.message, code: 'error' });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) live.delete(pid);
      resolve({ stdout, stderr, code: code ?? signal ?? 'unknown' });
    });
  });
}

/** PIDs still running (for tests and diagnostics). */
export function livePids(): number[] {
  return [...live.keys()];
}

/** SIGKILL every tracked process group, synchronously (safe inside an 'exit' handler). */
export function killAllNow(): void {
  for (const pid of live.keys()) killGroup(pid, 'SIGKILL');
  live.clear();
}

let installed = false;
/** Ctrl-C, SIGTERM, an uncaught error or a plain exit: nothing we started survives us. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping ${live.size} process(es)\n`);
      killAllNow();
      process.exit(130);
    });
  }
}

/** Process group and CPU ticks (user + sys, plus reaped children's) from a /proc/PID/stat line. */
export function parseProcStat(text: string): { pgrp: number; ticks: number } {
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(f[i] ?? 0);
  return { pgrp: n(2), ticks: n(11) + n(12) + n(13) + n(14) };
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * CPU milliseconds used so far by every process in the group led by `pgid` (a master and its
 * workers), or null where there is no /proc. Differences between two calls give the CPU a server
 * spent on a round, which is steadier than req/s when other work shares the machine.
 */
export function groupCpuMs(pgid: number): number | null {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return null;
  }
  let ticks = 0;
  for (const name of names) {
    if (name.charCodeAt(0) > 57) continue; // not a PID
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const stat = parseProcStat(text);
    if (stat.pgrp === pgid) ticks += stat.ticks;
  }
  return ticks * TICK_MS;
}
