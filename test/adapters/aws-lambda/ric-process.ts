/**
 * Runs a handler under AWS's own runtime interface client (aws-lambda-ric 3.3.0, installed in
 * test/helpers/ric by scripts/setup.sh) against the local Runtime API, the way Lambda runs it.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { spawnGroup, stopGroup } from '../../helpers/process-group.js';

export const ROOT = new URL('../../../', import.meta.url).pathname;
export const RIC_BIN = join(ROOT, 'test/helpers/ric/node_modules/aws-lambda-ric/bin/index.mjs');

/** Throws (the test fails) when the runtime client is not installed. */
export function requireRic(): string {
  if (!existsSync(RIC_BIN)) {
    throw new Error(
      `aws-lambda-ric is not installed (${RIC_BIN} is missing): run scripts/setup.sh ` +
        '(it runs `npm ci --prefix test/helpers/ric`; the native build needs autoconf, automake, libtool).',
    );
  }
  return RIC_BIN;
}

/** Bundles `entry` into `taskRoot` as index.mjs, as a deploy with esbuild would. */
export async function buildExampleInto(
  entry: string,
  taskRoot: string,
  options: { minify?: boolean } = {},
): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile: join(taskRoot, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    minify: options.minify ?? false,
    logLevel: 'error',
  });
}

/** Bundles examples/aws-lambda.ts into a fresh task root as index.mjs, as a deploy would. */
export async function buildExample(): Promise<{ taskRoot: string; remove: () => void }> {
  const taskRoot = mkdtempSync(join(tmpdir(), 'tsgi-lambda-'));
  await buildExampleInto(join(ROOT, 'examples/aws-lambda.ts'), taskRoot);
  return { taskRoot, remove: () => rmSync(taskRoot, { recursive: true, force: true }) };
}

export interface RicProcess {
  readonly pid: number;
  /** Everything the runtime (and the handler's console) printed so far. */
  output(): string;
  /** Resolves with the output once it matches (log lines arrive over a pipe, after the response). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export function startRic(taskRoot: string, handler: string, runtimeApi: string): RicProcess {
  const bin = requireRic();
  let out = '';
  const child: ChildProcess = spawnGroup(process.execPath, [bin, `index.${handler}`], {
    cwd: taskRoot,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? taskRoot,
      AWS_LAMBDA_RUNTIME_API: runtimeApi,
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: `index.${handler}`,
      AWS_LAMBDA_FUNCTION_NAME: 'tsgi-test',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/tsgi-test',
      AWS_LAMBDA_LOG_STREAM_NAME: 'local',
      AWS_REGION: 'us-east-1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  if (child.pid === undefined) throw new Error('aws-lambda-ric did not start');
  const pid = child.pid;
  return {
    pid,
    output: () => out,
    waitForOutput(pattern, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        if (pattern.test(out)) return resolve(out);
        const check = (): void => {
          if (!pattern.test(out)) return;
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.stderr?.off('data', check);
          resolve(out);
        };
        const timer = setTimeout(() => {
          child.stdout?.off('data', check);
          child.stderr?.off('data', check);
          reject(new Error(`runtime output never matched ${pattern}:\n${out}`));
        }, timeoutMs);
        child.stdout?.on('data', check);
        child.stderr?.on('data', check);
      });
    },
    stop: () => stopGroup(child, { signal: 'SIGTERM', graceMs: 3000 }),
  };
}
