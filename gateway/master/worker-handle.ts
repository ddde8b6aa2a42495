/**
 * The master's record of one worker process (gunicorn's Worker object, uWSGI's worker slot) and
 * how to fork one. Only the worker entry loads the app; the master passes it the app spec.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emptyCounters, type RunningRequest, type WorkerCounters } from '../worker/ipc.js';

export type WorkerState = 'starting' | 'ready' | 'retiring' | 'stopping';

export interface WorkerHandle {
  /** Slot number 1..N as uWSGI shows it (reused by the replacement of a dead worker). */
  readonly id: number;
  /** Spawn order; the oldest (lowest) is retired first. */
  readonly age: number;
  /** Reload generation it was started for. */
  readonly generation: number;
  readonly child: ChildProcess;
  readonly pid: number;
  state: WorkerState;
  /** Epoch ms. */
  spawnedAt: number;
  readyAt: number;
  /** performance.now() of the last message from it. */
  lastSeen: number;
  counters: WorkerCounters;
  running: RunningRequest[];
  lastRequestStart: RunningRequest | undefined;
  respawnCount: number;
  /** requests at the previous stats document (delta_requests). */
  requestsAtLastStats: number;
  /** We asked it to exit (reload, cheaper, shutdown) or it announced its retirement. */
  expectedExit: boolean;
  /** SIGKILL was sent: the master only waits for its exit (no second kill, no deadline checks). */
  killed: boolean;
  killTimer: NodeJS.Timeout | undefined;
  /** performance.now() when it announced its retirement. */
  retiringSince: number;
  /** Why it is going away, for the log line at exit. */
  exitReason: string;
}

/** The worker entry next to this module: main.ts under tsx (source), main.js once built. */
export function workerEntry(): string {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return fileURLToPath(new URL(`../worker/main.${ext}`, import.meta.url));
}

/**
 * The master's execArgv with bare `--import`/`--require`/`--loader` specifiers (tsx) resolved
 * from here: after `chdir` a worker would look for them in the new directory's node_modules.
 */
function portableExecArgv(): string[] {
  const out = [...process.execArgv];
  for (let i = 0; i < out.length - 1; i++) {
    const next = out[i + 1]!;
    const bare = !/^[./]|^file:|^node:/.test(next);
    if (['--import', '--require', '-r', '--loader'].includes(out[i]!) && bare) {
      try {
        const url = import.meta.resolve(next);
        out[i + 1] = out[i] === '--require' || out[i] === '-r' ? fileURLToPath(url) : url;
      } catch {
        // Not resolvable from here: leave it for Node to report.
      }
    }
  }
  return out;
}

export function forkWorker(pipeOutput: boolean): ChildProcess {
  return fork(workerEntry(), [], {
    // execArgv carries tsx's loader (and --conditions=source) when the master runs from source.
    execArgv: portableExecArgv(),
    stdio: pipeOutput ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
}

export function newHandle(
  child: ChildProcess,
  id: number,
  age: number,
  generation: number,
  respawnCount: number,
): WorkerHandle {
  return {
    id,
    age,
    generation,
    child,
    pid: child.pid ?? 0,
    state: 'starting',
    spawnedAt: Date.now(),
    readyAt: 0,
    lastSeen: performance.now(),
    counters: emptyCounters(),
    running: [],
    lastRequestStart: undefined,
    respawnCount,
    requestsAtLastStats: 0,
    expectedExit: false,
    killed: false,
    killTimer: undefined,
    retiringSince: 0,
    exitReason: '',
  };
}
