/**
 * `tsgi --master ...` as a child process for the master/worker tests: log lines kept, worker pids
 * collected from the master's "worker N (pid P) ready" lines, everything stopped by PID in
 * `stop()` (the master first, then its whole process group: any worker still alive).
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnGroup, stopGroup } from './process-group.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TEST_APP = 'test/gateway/master/fixtures/app.ts';

/** Runs `tsgi ARGS` to completion (for runs that must refuse and exit): status and output. */
export function runCli(args: string[], timeoutMs = 20_000) {
  return spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'gateway/cli.ts', ...args],
    { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs },
  );
}

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface MasterProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  /** Pids of every worker that reported ready, in order. */
  readyPids(): number[];
  /** Waits until `predicate(lines)` holds (polling). */
  waitFor(what: string, predicate: (lines: string[]) => boolean, timeoutMs?: number): Promise<void>;
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const READY = /worker (\d+) \(pid (\d+)\) ready/;

export async function startMaster(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    workers?: number;
    timeoutMs?: number;
    /** Node arguments that run the CLI (default: gateway/cli.ts through tsx). */
    entry?: string[];
  } = {},
): Promise<MasterProcess> {
  const entry = options.entry ?? ['--conditions=source', '--import', 'tsx', 'gateway/cli.ts'];
  const child = spawnGroup(process.execPath, [...entry, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const pids = new Set<number>();
  const feed = () => {
    let rest = '';
    return (chunk: Buffer) => {
      rest += chunk.toString();
      let nl = rest.indexOf('\n');
      while (nl !== -1) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        lines.push(line);
        const m = READY.exec(line);
        if (m) pids.add(Number(m[2]));
        if (process.env.TSGI_TEST_VERBOSE) console.error(`[master] ${line}`);
        nl = rest.indexOf('\n');
      }
    };
  };
  child.stdout?.on('data', feed());
  child.stderr?.on('data', feed());
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const waitFor = async (what: string, predicate: (l: string[]) => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(lines)) {
      if (exitCode !== undefined) {
        throw new Error(`master exited (${exitCode}) before ${what}:\n${lines.join('\n')}`);
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const master: MasterProcess = {
    pid: child.pid ?? 0,
    child,
    lines,
    exited,
    readyPids: () => [...pids],
    waitFor,
    async waitForLine(pattern, timeoutMs) {
      await waitFor(String(pattern), (l) => l.some((x) => pattern.test(x)), timeoutMs);
      return lines.find((x) => pattern.test(x)) ?? '';
    },
    async stop(signal = 'SIGTERM') {
      await stopGroup(child, { signal, graceMs: 15_000 });
      await exited;
      // A worker that left the group (none should) is still stopped by its PID.
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      return exitCode ?? null;
    },
  };
  const n = options.workers ?? 1;
  try {
    await waitFor(`${n} ready workers`, () => pids.size >= n, options.timeoutMs ?? 30_000);
  } catch (error) {
    await master.stop('SIGKILL');
    throw error;
  }
  return master;
}
