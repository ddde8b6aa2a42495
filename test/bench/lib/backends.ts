/**
 * Starting the servers under test, each as its own process group: Debian's uWSGI with the Python
 * plugin, the tsgi gateway through its CLI, and the node:http / Hono baselines.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForListen } from './net.js';
import { spawnTracked, type Tracked } from './processes.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const APPS = join(ROOT, 'test/bench/scenarios/apps');
const BASELINE_SERVER = join(ROOT, 'test/bench/scenarios/servers/baseline.ts');
export const GATEWAY_CLI = join(ROOT, 'gateway/cli.ts');
const PYTHON_PLUGIN = '/usr/lib/uwsgi/plugins/python3_plugin.so';

/** The app each scenario serves; the same name picks the .ts module and the Python callable. */
export type AppKind = 'hello' | 'echo' | 'big' | 'stream' | 'hono';

let uwsgiVersionCache: string | null | undefined;
/** `2.0.21-debian`, or null when uwsgi or its python3 plugin is missing. */
export function uwsgiVersion(): string | null {
  if (uwsgiVersionCache === undefined) {
    const r = spawnSync('uwsgi', ['--version'], { encoding: 'utf8' });
    uwsgiVersionCache = r.error || !existsSync(PYTHON_PLUGIN) ? null : r.stdout.trim();
  }
  return uwsgiVersionCache;
}

export function gatewayAvailable(): boolean {
  return existsSync(GATEWAY_CLI);
}

let masterCache: boolean | undefined;
/** Whether this gateway accepts `--master --processes N` yet (asks its own config loader). */
export function gatewayMasterAvailable(): boolean {
  if (masterCache === undefined) {
    const r = gatewayAvailable()
      ? spawnSync(
          process.execPath,
          [
            ...nodeTs,
            GATEWAY_CLI,
            '--master',
            '--processes',
            '2',
            '--print-config',
            join(APPS, 'hello.ts'),
          ],
          { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
        )
      : undefined;
    masterCache = r !== undefined && r.status === 0;
  }
  return masterCache;
}

/**
 * The gateway as users run it (`npx tsgi` = tsc's output in dist/) or through tsx from source.
 * tsx compiles with esbuild's keepNames, which wraps every function in a `__name()` call: a
 * measurable cost on the hot path, so the bench compiles the gateway once per run by default.
 */
let gatewayBuildDir: string | undefined;
export function useGatewayBuild(dir: string | undefined): void {
  gatewayBuildDir = dir;
}

/** Compiles src/, adapters/ and gateway/ of `root` with its tsconfig.build.json into `outDir`. */
export function buildGateway(outDir: string, root = ROOT): { ok: boolean; output: string } {
  const tsc = join(ROOT, 'node_modules/.bin/tsc');
  const r = spawnSync(tsc, ['-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const ok = existsSync(join(outDir, 'gateway/cli.js'));
  return { ok, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/**
 * A gateway other than this tree's: an earlier git ref built by lib/baseline-ref.ts, with its
 * own src/ (which the apps' `import 'tsgi'` resolves to) and the bench apps of this tree.
 */
export interface GatewayInstall {
  /** Shown after the target name: `nginx → tsgi (unix) @v0.1.0`. */
  label: string;
  /** The ref's tree (package.json, src/, test/bench/scenarios/apps/). */
  root: string;
  /** tsc's output for that tree. */
  buildDir: string;
}

function gatewayCommand(fromSource: boolean, install?: GatewayInstall): string[] {
  if (install) return ['--conditions=source', join(install.buildDir, 'gateway/cli.js')];
  if (gatewayBuildDir && !fromSource)
    return ['--conditions=source', join(gatewayBuildDir, 'gateway/cli.js')];
  return [...nodeTs, GATEWAY_CLI];
}

/** `--cpu-prof` for gateway processes, set by `npm run bench -- --cpu-prof DIR`. */
let cpuProfDir: string | undefined;
export function profileGatewayInto(dir: string | undefined): void {
  cpuProfDir = dir;
}

const nodeTs = ['--conditions=source', '--import', 'tsx'];

export interface UwsgiOptions {
  /** `127.0.0.1:PORT` or a unix socket path. */
  socket: string;
  app: Exclude<AppKind, 'hono'>;
  processes: number;
  dir: string;
}

/** Debian's uWSGI serving test/bench/scenarios/apps/wsgi_apps.py over the uwsgi protocol. */
export async function startUwsgiPython(o: UwsgiOptions): Promise<Tracked> {
  const args = [
    '--plugin',
    'python3',
    '--socket',
    o.socket,
    '--wsgi-file',
    join(APPS, 'wsgi_apps.py'),
    '--callable',
    o.app,
    '--disable-logging',
    '--listen',
    '1024',
    ...(o.processes > 1 ? ['--master', '--processes', String(o.processes)] : []),
  ];
  const proc = spawnTracked('uwsgi', args, {
    name: `uwsgi ${o.app} ${o.socket}`,
    stopSignal: 'SIGINT',
    logFile: join(o.dir, `uwsgi-${o.app}-${o.processes}-${Date.now()}.log`),
  });
  await waitForListen(o.socket, proc);
  return proc;
}

export interface TsgiOptions {
  socket?: string;
  httpSocket?: string;
  app: AppKind;
  /** 1 = a single process, no master; more = `--master --processes N`. */
  processes: number;
  dir: string;
  /** Run gateway/cli.ts through tsx even when a compiled build is in use. */
  fromSource?: boolean;
  /** Run this gateway instead of the tree's own (`--baseline-ref`). */
  gateway?: GatewayInstall | undefined;
}

/** The tsgi CLI (gateway/cli.ts through tsx), as the contract of issue #3/#4 spells it. */
export async function startTsgi(o: TsgiOptions): Promise<Tracked> {
  if (!gatewayAvailable()) throw new Error(`gateway CLI not found at ${GATEWAY_CLI}`);
  const prof = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const [first, ...rest] = gatewayCommand(o.fromSource ?? false, o.gateway);
  const apps = o.gateway ? join(o.gateway.root, 'test/bench/scenarios/apps') : APPS;
  const args = [
    first!,
    ...prof,
    ...rest,
    ...(o.socket ? ['--socket', o.socket] : []),
    ...(o.httpSocket ? ['--http-socket', o.httpSocket] : []),
    '--disable-logging',
    '--listen',
    '1024',
    ...(o.processes > 1 ? ['--master', '--processes', String(o.processes)] : []),
    join(apps, `${o.app}.ts`),
  ];
  const proc = spawnTracked(process.execPath, args, {
    name: `tsgi ${o.app} ${o.socket ?? o.httpSocket}${o.gateway ? ` @${o.gateway.label}` : ''}`,
    cwd: o.gateway?.root ?? ROOT,
    stopSignal: 'SIGTERM',
    logFile: join(o.dir, `tsgi-${o.app}-${o.processes}-${Date.now()}.log`),
  });
  await waitForListen((o.socket ?? o.httpSocket)!, proc);
  return proc;
}

const PM2_RUNTIME = join(ROOT, 'node_modules/pm2/bin/pm2-runtime');
const PM2_APP = join(ROOT, 'test/bench/scenarios/servers/node-hello.cjs');

export function pm2Available(): boolean {
  return existsSync(PM2_RUNTIME);
}

/** The PM2 config file for `instances` cluster workers of the node:http hello server. */
export function pm2Ecosystem(instances: number, port: number, script = PM2_APP): string {
  const app = {
    name: 'hello',
    script,
    exec_mode: 'cluster',
    instances,
    env: { PORT: String(port), NODE_ENV: 'production' },
    // No restarts, watchers or log files to write during the load.
    autorestart: false,
    watch: false,
    out_file: '/dev/null',
    error_file: '/dev/null',
  };
  return `module.exports = ${JSON.stringify({ apps: [app] }, null, 2)};\n`;
}

/**
 * PM2 in cluster mode, as a Node user would run it: `pm2-runtime` (PM2 without a daemon: its
 * God process runs in the foreground and forks the cluster workers) with a PM2_HOME of its own
 * in the scenario's temp dir. Stopped by its PID (SIGINT stops the apps, then PM2 exits), then
 * the process group, so no daemon or worker outlives the scenario.
 */
export async function startPm2Cluster(
  instances: number,
  dir: string,
): Promise<{ proc: Tracked; url: string }> {
  const port = await freePort();
  const config = join(dir, `pm2-${port}.config.cjs`);
  writeFileSync(config, pm2Ecosystem(instances, port));
  const proc = spawnTracked(process.execPath, [PM2_RUNTIME, 'start', config], {
    name: `pm2 cluster ×${instances}`,
    cwd: dir,
    env: { ...process.env, PM2_HOME: join(dir, `pm2-home-${port}`), PM2_DISCRETE_MODE: 'true' },
    stopSignal: 'SIGINT',
    logFile: join(dir, `pm2-${port}.log`),
  });
  await waitForListen(`127.0.0.1:${port}`, proc);
  // Each worker listens in turn: wait until PM2 says all of them are online.
  const deadline = Date.now() + 20_000;
  while ((proc.tail(200).match(/online/g) ?? []).length < instances) {
    if (Date.now() > deadline || !proc.alive()) {
      throw new Error(`PM2 did not start ${instances} workers\n${proc.tail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, url: `http://127.0.0.1:${port}/` };
}

/** node:http or Hono's node-server on a fresh port; returns its URL. */
export async function startBaseline(
  kind: 'node' | 'hono',
  app: Exclude<AppKind, 'hono'> | 'app',
  dir: string,
): Promise<{ proc: Tracked; url: string }> {
  const port = await freePort();
  const proc = spawnTracked(
    process.execPath,
    [...nodeTs, BASELINE_SERVER, kind, app, String(port)],
    {
      name: `${kind} ${app}`,
      cwd: ROOT,
      logFile: join(dir, `${kind}-${app}-${port}.log`),
    },
  );
  await waitForListen(`127.0.0.1:${port}`, proc);
  return { proc, url: `http://127.0.0.1:${port}/` };
}

const TOY_SERVER = join(ROOT, 'test/bench/scenarios/servers/uwsgi-toy.ts');

export type ToyMode = 'net' | 'net+timeout' | 'net+async' | 'net+both' | 'handle' | 'handle+early';

/** The ceiling probes of servers/uwsgi-toy.ts (node:net or raw libuv handles). */
export async function startToy(mode: ToyMode, socket: string, dir: string): Promise<Tracked> {
  const proc = spawnTracked(
    process.execPath,
    ['--no-deprecation', ...nodeTs, TOY_SERVER, mode, socket],
    {
      name: `toy ${mode} ${socket}`,
      cwd: ROOT,
      logFile: join(dir, `toy-${mode.replace('+', '-')}-${Date.now()}.log`),
    },
  );
  await waitForListen(socket, proc);
  return proc;
}
