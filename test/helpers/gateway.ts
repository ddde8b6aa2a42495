/**
 * The `tsgi` CLI as a child process (`node --conditions=source --import tsx gateway/cli.ts ...`):
 * started, waited for until it logs `ready`, stopped by PID with its process group. Its log lines are kept for asserts.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnGroup, stopGroup } from './process-group.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface GatewayProcess {
  pid: number;
  /** Every log line so far (stdout and stderr). */
  lines: string[];
  /** Resolves with the first line matching `pattern` (waits for it). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawnGroup(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'gateway/cli.ts', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** Runs the CLI to its end; resolves with the exit code and everything it printed. */
export function runCliToEnd(
  args: string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = runCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => {
    stdout += c;
  });
  child.stderr!.on('data', (c) => {
    stderr += c;
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Starts the gateway and waits for its `ready` line (rejects if it exits first). */
export async function startGateway(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<GatewayProcess> {
  const child = runCli(args, options);
  const lines: string[] = [];
  const watchers: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onText = (buffer: { rest: string }) => (chunk: Buffer) => {
    buffer.rest += chunk.toString();
    let nl = buffer.rest.indexOf('\n');
    while (nl !== -1) {
      const line = buffer.rest.slice(0, nl);
      buffer.rest = buffer.rest.slice(nl + 1);
      lines.push(line);
      if (process.env.TSGI_TEST_VERBOSE) console.error(`[gateway] ${line}`);
      for (const w of [...watchers]) {
        if (w.pattern.test(line)) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve(line);
        }
      }
      nl = buffer.rest.indexOf('\n');
    }
  };
  child.stdout!.on('data', onText({ rest: '' }));
  child.stderr!.on('data', onText({ rest: '' }));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const waitForLine = (pattern: RegExp, timeoutMs = 15_000) => {
    const seen = lines.find((l) => pattern.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no line ${pattern} in ${timeoutMs} ms:\n${lines.join('\n')}`)),
        timeoutMs,
      );
      watchers.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`gateway exited before ${pattern}:\n${lines.join('\n')}`));
      });
    });
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    await stopGroup(child, { signal, graceMs: 10_000 });
    await exited;
    return child.exitCode;
  };
  try {
    await waitForLine(/ready \(pid \d+\)/, options.timeoutMs ?? 20_000);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return { pid: child.pid!, lines, waitForLine, stop, exited };
}
