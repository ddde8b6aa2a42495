/**
 * A tsgi instance started the way systemd starts deploy/tsgi@.service: its ExecStart= argv, its
 * Environment= variables and WorkingDirectory=, with %i = the instance name, and the
 * RuntimeDirectory= created first. Ready when its unix socket accepts a connection; stopped by PID
 * with its whole process group.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { spawnGroup, stopGroup } from '../../helpers/process-group.js';
import { cleanEnv } from './tsgi-cli.js';
import {
  execStart,
  expandSpecifiers,
  type UnitFile,
  unitEnvironment,
  unitValue,
} from './unit-file.js';

export interface Instance {
  name: string;
  pid: number;
  socket: string;
  lines: string[];
  exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal` (SIGTERM: graceful stop) and waits for the exit; SIGKILL after 15 s. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** What `systemctl stop` does: each ExecStop= command in turn, then KillSignal=. */
  systemdStop(): Promise<number | null>;
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Polls until the unix socket accepts (or the process exits, or 20 s pass). */
export async function waitForSocket(
  path: string,
  exited: Promise<unknown>,
  lines: string[],
): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 20_000;
  while (!(await canConnect(path))) {
    if (gone) throw new Error(`instance exited before listening on ${path}:\n${lines.join('\n')}`);
    if (Date.now() > deadline)
      throw new Error(`${path} not accepting after 20 s:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startInstance(
  unit: UnitFile,
  runDir: string,
  name: string,
): Promise<Instance> {
  const runtime = unitValue(unit, 'Service', 'RuntimeDirectory');
  if (runtime === undefined) throw new Error('no RuntimeDirectory=');
  const dir = join(runDir, expandSpecifiers(runtime, name).replace(/^tsgi\//, ''));
  mkdirSync(dir, { recursive: true });
  const [cmd, ...args] = execStart(unit, name);
  const cwd = unitValue(unit, 'Service', 'WorkingDirectory');
  const child: ChildProcess = spawnGroup(cmd!, args, {
    cwd,
    env: cleanEnv(unitEnvironment(unit, name)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(line);
    if (process.env.TSGI_TEST_VERBOSE) process.stderr.write(`[tsgi@${name}] ${chunk}`);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    await stopGroup(child, { signal, graceMs: 15_000 });
    await exited;
    return child.exitCode;
  };
  const systemdStop = async () => {
    for (const line of unit.get('Service')?.get('ExecStop') ?? []) {
      const argv = expandSpecifiers(line, name)
        .replaceAll('$MAINPID', String(child.pid))
        .split(/\s+/);
      const res = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
      if (res.status !== 0) throw new Error(`ExecStop=${line}: ${res.status} ${res.stderr}`);
    }
    const signal = (unitValue(unit, 'Service', 'KillSignal') ?? 'SIGTERM') as NodeJS.Signals;
    return stop(signal);
  };
  const socket = join(dir, 'app.sock');
  try {
    await waitForSocket(socket, exited, lines);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return {
    name,
    pid: child.pid!,
    socket,
    lines,
    exited,
    signal: (s) => child.kill(s),
    stop,
    systemdStop,
  };
}
