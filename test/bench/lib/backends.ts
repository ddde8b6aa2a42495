/**
 * Starting the servers under test, each as its own process group: Debian's uWSGI with the Python
 * plugin, the tsgi gateway through its CLI, and the node:http / Hono baselines.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** Compiles src/, adapters/ and gateway/ with tsconfig.build.json into `outDir`. */
export function buildGateway(outDir: string): { ok: boolean; output: string } {
  const tsc = join(ROOT, 'node_modules/.bin/tsc');
  const r = spawnSync(tsc, ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const ok = existsSync(join(outDir, 'gateway/cli.js'));
  return { ok, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

function gatewayCommand(fromSource: boolean): string[] {
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
}

/** The tsgi CLI (gateway/cli.ts through tsx), as the contract of issue #3/#4 spells it. */
export async function startTsgi(o: TsgiOptions): Promise<Tracked> {
  if (!gatewayAvailable()) throw new Error(`gateway CLI not found at ${GATEWAY_CLI}`);
  const prof = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const [first, ...rest] = gatewayCommand(o.fromSource ?? false);
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
    join(APPS, `${o.app}.ts`),
  ];
  const proc = spawnTracked(process.execPath, args, {
    name: `tsgi ${o.app} ${o.socket ?? o.httpSocket}`,
    cwd: ROOT,
    stopSignal: 'SIGTERM',
    logFile: join(o.dir, `tsgi-${o.app}-${o.processes}-${Date.now()}.log`),
  });
  await waitForListen((o.socket ?? o.httpSocket)!, proc);
  return proc;
}

/** node:http or Hono's node-server on a fresh port; returns its URL. */
export async function startBaseline(
  kind: 'node' | 'hono',
  app: Exclude<AppKind, 'hono'>,
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

export type ToyMode = 'net' | 'net+timeout' | 'net+async' | 'net+both' | 'handle';

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
