/**
 * Real workerd for tests and benches: bundle a TS worker with esbuild (Miniflare's `scriptPath`
 * must be JS), run it in Miniflare, and drive the repo's wrangler.toml through the wrangler CLI
 * (`wrangler dev` on loopback, `wrangler deploy --dry-run`). Every process is stopped by its PID.
 */
import type { ChildProcess } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { freePort } from './ports.js';
import { spawnGroup } from './process-group.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** workerd in miniflare 4.20260426.0 accepts dates up to its own; wrangler.toml uses the same. */
export const COMPATIBILITY_DATE = '2026-04-01';

export interface TempDir {
  dir: string;
  remove(): void;
}

export function tempDir(prefix = 'tsgi-workerd-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `wrangler deploy --dry-run --outdir` on `entry` (relative to the repository) with the settings of
 * the repository's wrangler.toml: what `wrangler deploy` would upload. Returns the bundle's path
 * (the largest .js file). `flags` go to wrangler (`--minify`).
 */
export async function wranglerBundle(
  entry: string,
  outDir: string,
  flags: readonly string[] = [],
): Promise<string> {
  const out = join(outDir, 'out');
  mkdirSync(out, { recursive: true });
  const config = join(outDir, 'wrangler.toml');
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
    .replace(/^name = .*$/m, 'name = "tsgi-bundle"')
    .replace(/^main = .*$/m, `main = ${JSON.stringify(join(ROOT, entry))}`)
    .replace(/"\.\/(src|adapters)\//g, (_m, d: string) => `"${join(ROOT, d)}/`);
  writeFileSync(config, toml);
  const res = await runWrangler(
    ['deploy', '--dry-run', '--outdir', out, '--config', config, ...flags],
    120_000,
  );
  if (res.code !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${res.output}`);
  const js = readdirSync(out)
    .filter((f) => f.endsWith('.js') || f.endsWith('.mjs'))
    .map((f) => join(out, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (!js[0]) throw new Error(`no bundle in ${out}:\n${res.output}`);
  return js[0];
}

/** Bundles a worker entry (TS, ESM) into one JS module for workerd; returns its path. */
export async function bundleWorker(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, 'worker.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    // workerd is neither Node nor a browser: no node: built-ins unless nodejs_compat is on.
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['source', 'workerd', 'worker', 'browser'],
    logLevel: 'error',
  });
  return outfile;
}

export interface WorkerRun {
  mf: Miniflare;
  /** Base URL for dispatchFetch (the worker sees this URL, not the loopback address). */
  url: string;
  dispose(): Promise<void>;
}

/** Starts a bundled module worker in workerd through Miniflare. */
export async function startWorker(
  scriptPath: string,
  options: { compatibilityFlags?: string[] } & Partial<MiniflareOptions> = {},
): Promise<WorkerRun> {
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    // Module names are paths relative to this root; the bundle lives in a temp dir outside the repo.
    modulesRoot: dirname(scriptPath),
    compatibilityDate: COMPATIBILITY_DATE,
    // A real cf object would be fetched from workers.cloudflare.com; placeholders need no network.
    cf: false,
    host: '127.0.0.1',
    ...options,
  } as MiniflareOptions);
  await mf.ready;
  return {
    mf,
    url: 'https://tsgi.example:8443',
    dispose: () => mf.dispose(),
  };
}

/** Ports below the ephemeral range (ports.ts says why). */
export { freePort };

/** wrangler without a token, metrics or update checks: the CLI must stay on loopback. */
function wranglerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CLOUDFLARE_API_TOKEN;
  env.WRANGLER_SEND_METRICS = 'false';
  env.NO_UPDATE_NOTIFIER = '1';
  return env;
}

const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** Runs `wrangler <args>` to completion within `timeoutMs`; its group is killed on timeout. */
export function runWrangler(
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | string; output: string }> {
  const child = spawnGroup(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: wranglerEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? 'unknown', output });
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

export interface WranglerDev {
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `wrangler dev` for the top-level wrangler.toml on 127.0.0.1:<free port>. Resolves once a request
 * answers (bounded by `timeoutMs`). wrangler starts esbuild and workerd children; they share the
 * process group we create, and stop() ends that group by the leader's PID.
 */
export async function startWranglerDev(
  extraArgs: readonly string[] = [],
  timeoutMs = 60_000,
): Promise<WranglerDev> {
  const port = await freePort();
  const inspector = await freePort();
  const child = spawnGroup(
    process.execPath,
    [
      WRANGLER,
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspector),
      '--show-interactive-dev-session=false',
      ...extraArgs,
    ],
    { cwd: ROOT, env: wranglerEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (child.pid === undefined) throw new Error('wrangler dev did not start');
  const pid = child.pid;
  let output = '';
  const append = (d: string) => {
    output = (output + d).slice(-20_000);
  };
  child.stdout?.setEncoding('utf8').on('data', append);
  child.stderr?.setEncoding('utf8').on('data', append);
  let exitCode: number | string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal ?? 'unknown';
      resolve();
    });
  });
  // If this process ends without stop() (Ctrl-C in a bench, a crashed test file), take the group down.
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (exitCode === undefined) {
      killGroup(child, 'SIGTERM');
      const timer = sleep(5000).then(() => 'timeout' as const);
      if ((await Promise.race([exited.then(() => 'exit' as const), timer])) === 'timeout') {
        killGroup(child, 'SIGKILL');
        await exited;
      }
    }
    // workerd children may outlive wrangler itself.
    killGroup(child, 'SIGKILL');
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exitCode !== undefined) throw new Error(`wrangler dev exited (${exitCode})`);
      if (Date.now() > deadline) throw new Error(`wrangler dev did not answer in ${timeoutMs} ms`);
      try {
        const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        break;
      } catch {
        await sleep(200);
      }
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output.slice(-4000)}`);
  }
  return { url, pid, output: () => output, stop };
}
