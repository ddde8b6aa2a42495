/**
 * Runs the `tsgi` CLI from source in any working directory (so relative config paths and the
 * messages that quote them look as they would for an operator) and collects its output.
 */

import { fileURLToPath } from 'node:url';
import { killGroupNow, spawnGroup } from '../../helpers/process-group.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = `${ROOT}gateway/cli.ts`;
/** tsx as an absolute URL: `--import tsx` would be resolved from the working directory. */
export const TSX = import.meta.resolve('tsx');

/** `node` with the arguments that run gateway/cli.ts from source, from any directory. */
export function tsgiCommand(): string[] {
  return [process.execPath, '--conditions=source', '--import', TSX, CLI];
}

/** The environment without TSGI_* variables (a developer's shell must not change results). */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TSGI_')),
  );
  return { ...env, ...extra };
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a one-shot command (--print-config, a refused config) with a 30 s bound. */
export function runTsgi(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const [cmd, ...pre] = tsgiCommand();
  const child = spawnGroup(cmd!, [...pre, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => {
    stdout += c;
  });
  child.stderr?.on('data', (c) => {
    stderr += c;
  });
  const timer = setTimeout(() => killGroupNow(child), 30_000);
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

/** `key = value` lines of an INI file (comments only at line start, as tsgi and uWSGI read it). */
export function iniKeys(text: string): Array<{ key: string; value: string; line: number }> {
  const out: Array<{ key: string; value: string; line: number }> = [];
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*([A-Za-z0-9_.-]+)\s*(?:=(.*))?$/.exec(raw);
    if (!m || /^\s*[#;[]/.test(raw)) return;
    out.push({ key: m[1]!, value: (m[2] ?? '').trim(), line: i + 1 });
  });
  return out;
}

/** What /srv/myapp/node_modules/.bin/tsgi is in the tests: the CLI from source, from any cwd. */
export function tsgiLauncher(): string {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  return `#!/bin/sh\nexec ${tsgiCommand().map(quote).join(' ')} "$@"\n`;
}
