/**
 * The end-of-run check of `npm test` and `npm run bench`: lists every process still running that
 * the run started, then stops it by PID. A process is the run's when its environment carries the
 * run's marker (inherited by everything the run spawns), or when it belongs to a process group the
 * run recorded (nginx rewrites its environment, its workers keep the master's group). Processes of
 * other runs on the same machine carry another marker and are left alone.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Under TSGI_TEST_, a prefix the gateway's config reserves (it never reads these as options).
export const RUN_MARKER_ENV = 'TSGI_TEST_RUN_MARKER';
export const RUN_DIR_ENV = 'TSGI_TEST_RUN_DIR';

export interface Leftover {
  pid: number;
  pgid: number;
  ppid: number;
  command: string;
  /** How it was recognised: the marker in its environment, or a recorded process group. */
  by: 'marker' | 'group';
}

export interface Run {
  marker: string;
  dir: string;
  /** Variables to pass to the run's children. */
  env: Record<string, string>;
}

/** A fresh marker and folder for one run. */
export function newRun(): Run {
  const marker = randomUUID();
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-run-'));
  return { marker, dir, env: { [RUN_MARKER_ENV]: marker, [RUN_DIR_ENV]: dir } };
}

interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
  start: string;
}

function readStat(pid: string): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: f[0] ?? '', ppid: Number(f[1]), pgrp: Number(f[2]), start: f[19] ?? '' };
  } catch {
    return undefined;
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** `pgid → leader start time` from the run's record (lines `pgid starttime`). */
function recordedGroups(dir: string): Map<number, string> {
  const groups = new Map<number, string>();
  for (const line of read(join(dir, 'groups')).split('\n')) {
    const [pgid, start] = line.split(' ');
    if (pgid && start) groups.set(Number(pgid), start);
  }
  return groups;
}

/**
 * A recorded group is still the run's when its leader is the recorded process (same start time)
 * or is gone: Linux does not hand out a PID while a group of that number still has members.
 */
function groupIsOurs(pgid: number, start: string, stats: Map<number, ProcStat>): boolean {
  const leader = stats.get(pgid);
  return leader === undefined || start === '?' || leader.start === start;
}

export function findLeftovers(
  run: Pick<Run, 'marker' | 'dir'>,
  exclude: readonly number[] = [process.pid],
): Leftover[] {
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(name);
    if (stat) stats.set(Number(name), stat);
  }
  const groups = recordedGroups(run.dir);
  const needle = `${RUN_MARKER_ENV}=${run.marker}`;
  const out: Leftover[] = [];
  for (const [pid, stat] of stats) {
    if (exclude.includes(pid) || stat.state === 'Z') continue;
    const start = groups.get(stat.pgrp);
    let by: Leftover['by'] | undefined;
    if (start !== undefined && groupIsOurs(stat.pgrp, start, stats)) by = 'group';
    else if (read(`/proc/${pid}/environ`).split('\0').includes(needle)) by = 'marker';
    if (!by) continue;
    const command = read(`/proc/${pid}/cmdline`).split('\0').join(' ').trim();
    out.push({ pid, pgid: stat.pgrp, ppid: stat.ppid, command, by });
  }
  return out;
}

export function formatLeftovers(list: readonly Leftover[]): string {
  return list
    .map((p) => `  pid ${p.pid} (group ${p.pgid}, parent ${p.ppid}, by ${p.by}): ${p.command}`)
    .join('\n');
}

/**
 * Lists what the run left running (printed through `log`), stops it with SIGKILL by PID and
 * removes the run's folder. Returns the list: empty means the run cleaned up after itself.
 */
export function endRun(run: Run, log: (line: string) => void = console.log): Leftover[] {
  // Groups killed in the last moments (exit handlers) may take a few ms to disappear.
  let left = findLeftovers(run);
  for (let i = 0; i < 20 && left.length > 0; i++) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    left = findLeftovers(run);
  }
  if (left.length > 0) {
    log(
      `\nprocesses this run started and left running (${left.length}):\n${formatLeftovers(left)}`,
    );
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  } else log('\nno process of this run is left running');
  rmSync(run.dir, { recursive: true, force: true });
  return left;
}
