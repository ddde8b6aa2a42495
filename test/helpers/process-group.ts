/**
 * Every server a test starts (nginx, the gateway, uWSGI, wrangler/workerd, the Lambda runtime
 * client) runs as the leader of its own process group and is stopped with the whole group, by the
 * leader's PID: a graceful signal first, then SIGKILL to the group, then a bounded wait until the
 * group is empty. Killing only the leader (nginx's master) would orphan its workers.
 *
 * Under scripts/test.mjs (and `npm run bench`) each child also carries the run's marker in its
 * environment and each group is recorded in the run's folder, so the end-of-run check
 * (scripts/leftovers.ts) can list anything the run left behind. nginx rewrites its environment
 * for its process title, which is why groups are recorded as well.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { RUN_DIR_ENV, RUN_MARKER_ENV } from '../../scripts/leftovers.js';

/** `1` makes stop() kill the leader only (the old bug), to prove the end-of-run check fails. */
export const LEAK_ENV = 'TSGI_TEST_LEAK_ON_PURPOSE';

const live = new Set<number>();
let exitHook = false;

/** Field 22 of /proc/PID/stat (start time in clock ticks), or undefined without /proc. */
export function startTime(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Appends `pgid starttime` to the run's group list (no-op outside a marked run). */
export function recordGroup(pgid: number): void {
  const dir = process.env[RUN_DIR_ENV];
  if (!dir) return;
  try {
    appendFileSync(join(dir, 'groups'), `${pgid} ${startTime(pgid) ?? '?'}\n`);
  } catch {
    // The run folder is gone (a run that ended): nothing to record into.
  }
}

/** The environment with the run's marker and folder added (an `env` that was cleaned keeps them). */
export function withRunMarker(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const key of [RUN_MARKER_ENV, RUN_DIR_ENV]) {
    const value = process.env[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: no process left in the group.
  }
}

/** Spawns `cmd` as the leader of a new process group, marked and recorded for the run. */
export function spawnGroup(
  cmd: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  const child = spawn(cmd, args, {
    ...options,
    env: withRunMarker(options.env ?? process.env),
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) return child;
  recordGroup(pid);
  live.add(pid);
  child.once('exit', () => {
    // The leader is gone; members may not be: the group stays in `live` until stopGroup empties it.
    if (!signalGroup(pid, 0)) live.delete(pid);
  });
  if (!exitHook) {
    exitHook = true;
    // A test file that ends without stop() (a crash, a forgotten after()) still takes its groups down.
    process.on('exit', () => {
      for (const pgid of live) signalGroup(pgid, 'SIGKILL');
    });
  }
  return child;
}

function exitedPromise(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface StopOptions {
  /** Asks the program to stop cleanly (nginx: SIGQUIT; the gateway: SIGTERM). */
  signal?: NodeJS.Signals;
  /** Time for the graceful stop before SIGKILL goes to the whole group. */
  graceMs?: number;
}

/**
 * Stops a group started by spawnGroup: `signal` to the leader, SIGKILL to the group after
 * `graceMs` (or at once once the leader has exited, for members that outlived it), then waits
 * until no process of the group is left (bounded: 5 s more).
 */
export async function stopGroup(child: ChildProcess, options: StopOptions = {}): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  const exited = exitedPromise(child);
  if (process.env[LEAK_ENV] === '1') {
    try {
      process.kill(pgid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
    live.delete(pgid);
    return;
  }
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(pgid, options.signal ?? 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = sleep(options.graceMs ?? 5000, 'timeout' as const, { ref: false });
    if ((await Promise.race([exited.then(() => 'exit' as const), timer])) === 'timeout') {
      signalGroup(pgid, 'SIGKILL');
    }
    await exited;
  }
  signalGroup(pgid, 'SIGKILL');
  const deadline = Date.now() + 5000;
  while (signalGroup(pgid, 0) && Date.now() < deadline) await sleep(20);
  live.delete(pgid);
}

/** Sends SIGKILL to the whole group now (a test that wants a crash, or a timeout path). */
export function killGroupNow(child: ChildProcess): void {
  if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
}
