/**
 * Benchmark (not a test): hello world through nginx, one process each, in the same run —
 *   nginx → tsgi (unix socket), nginx → uWSGI Python (unix socket, when Debian's uwsgi and its
 *   python3 plugin are installed), and nginx `return 200` as the ceiling.
 * autocannon (as a library) and wrk (when installed) drive the load; rounds alternate the targets
 * so each ratio compares figures taken close in time; medians are reported. nginx opens a new
 * upstream connection per request, so this measures the gateway's per-connection cost.
 *
 * Run alone: node --conditions=source --import tsx test/bench/gateway.ts [--duration S] [--rounds N]
 * or as part of `npm run bench` (which imports run()). Stops everything it starts, by PID.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GatewayProcess, ROOT, startGateway } from '../helpers/gateway.js';
import { type Nginx, startNginx } from '../helpers/nginx.js';
import { killGroupNow, spawnGroup, stopGroup } from '../helpers/process-group.js';
import { runAutocannon } from './lib/autocannon.js';
import type { BenchRow, BenchRunOptions, LoadRequest, LoadResult } from './lib/types.js';
import { runWrk, wrkInstalled } from './lib/wrk.js';

const SCENARIO = 'gateway-hello';
const HELLO_APP = join(ROOT, 'test/bench/scenarios/apps/hello.ts');
const WSGI_APPS = join(ROOT, 'test/bench/scenarios/apps/wsgi_apps.py');
const REQUEST: LoadRequest = { method: 'GET', path: '/', bodyBytes: 0, connections: 50 };

function uwsgiPythonAvailable(): boolean {
  if (spawnSync('uwsgi', ['--version'], { stdio: 'ignore' }).error) return false;
  return ['/usr/lib/uwsgi/plugins/python3_plugin.so'].some((p) => existsSync(p));
}

async function startUwsgi(socket: string): Promise<ChildProcess> {
  const child = spawnGroup(
    'uwsgi',
    [
      '--plugin',
      'python3',
      '--socket',
      socket,
      '--wsgi-file',
      WSGI_APPS,
      '--callable',
      'hello',
      '--disable-logging',
      '--listen',
      '1024',
      '--need-app',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(socket)) {
    killGroupNow(child);
    throw new Error('uWSGI did not create its socket');
  }
  return child;
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  // uWSGI 2.0: SIGTERM means reload; SIGINT stops.
  return child ? stopGroup(child, { signal: 'SIGINT', graceMs: 5000 }) : Promise.resolve();
}

const median = (xs: number[]): number => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Stops for what is running now, so Ctrl-C in a standalone run still stops every process. */
const running = new Set<() => Promise<void>>();

export async function run(options: BenchRunOptions = {}): Promise<BenchRow[]> {
  const durationS = options.smoke ? 1 : (options.duration ?? 10);
  const rounds = options.smoke ? 1 : (options.rounds ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-bench-gw-'));
  let gateway: GatewayProcess | undefined;
  let uwsgi: ChildProcess | undefined;
  let nginx: Nginx | undefined;
  const rows: BenchRow[] = [];
  const cleanup = async () => {
    await nginx?.stop();
    await stopChild(uwsgi);
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(cleanup);
  try {
    const tsgiSocket = join(dir, 'tsgi.sock');
    gateway = await startGateway([
      '--socket',
      tsgiSocket,
      '--disable-logging',
      '--listen',
      '1024',
      HELLO_APP,
    ]);
    const targets: Array<{ name: string; upstream: string }> = [
      { name: 'nginx → tsgi (unix)', upstream: 'tsgi' },
    ];
    const upstreams = [{ name: 'tsgi', pass: `unix:${tsgiSocket}` }];
    let uwsgiNote: string | undefined;
    if (uwsgiPythonAvailable()) {
      const pySocket = join(dir, 'py.sock');
      uwsgi = await startUwsgi(pySocket);
      upstreams.push({ name: 'uwsgi', pass: `unix:${pySocket}` });
      targets.push({ name: 'nginx → uWSGI Python (unix)', upstream: 'uwsgi' });
    } else {
      uwsgiNote = 'uwsgi + uwsgi-plugin-python3 not installed: no uWSGI row';
    }
    nginx = await startNginx({ upstreams, staticReturn: true });
    targets.push({ name: 'nginx return 200', upstream: 'static' });

    const tools: Array<'autocannon' | 'wrk'> = wrkInstalled()
      ? ['autocannon', 'wrk']
      : ['autocannon'];
    const results = new Map<string, LoadResult[]>();
    for (let round = 0; round < rounds; round++) {
      // Alternate the order each round so no target always runs first (or last).
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const tool of tools) {
        for (const target of order) {
          const url = `http://127.0.0.1:${nginx.ports[target.upstream]}/`;
          const label = `${tool} ${target.name} round ${round + 1}/${rounds}`;
          const result =
            tool === 'wrk'
              ? await runWrk({ url, request: REQUEST, durationS, threads: 2, tmpDir: dir, label })
              : await runAutocannon({ url, request: REQUEST, durationS, label });
          const key = `${tool}|${target.name}`;
          results.set(key, [...(results.get(key) ?? []), result]);
        }
      }
    }
    const baselineName = targets.find((t) => t.upstream === 'uwsgi')?.name ?? 'nginx return 200';
    for (const tool of tools) {
      const base = results.get(`${tool}|${baselineName}`)!;
      for (const target of targets) {
        const got = results.get(`${tool}|${target.name}`)!;
        const isBase = target.name === baselineName;
        rows.push({
          scenario: SCENARIO,
          name: target.name,
          tool,
          rps: median(got.map((r) => r.rps)),
          p50Ms: median(got.map((r) => r.p50Ms ?? Number.NaN)),
          p99Ms: median(got.map((r) => r.p99Ms ?? Number.NaN)),
          errors: got.reduce((n, r) => n + r.errors, 0),
          baseline: isBase ? null : baselineName,
          ratio: isBase ? null : median(got.map((r, i) => r.rps / base[i]!.rps)),
          rounds: got.map((r) => r.rps),
          ...(uwsgiNote && target.upstream === 'tsgi' ? { note: uwsgiNote } : {}),
        });
      }
    }
    return rows;
  } finally {
    running.delete(cleanup);
    await cleanup();
  }
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : Number(process.argv[i + 1]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Promise.all([...running].map((stop) => stop())).finally(() => process.exit(130));
    });
  }
  const duration = arg('duration');
  const rounds = arg('rounds');
  run({
    ...(duration === undefined ? {} : { duration }),
    ...(rounds === undefined ? {} : { rounds }),
    smoke: process.argv.includes('--smoke'),
  }).then(
    (rows) => {
      for (const r of rows) {
        const ratio = r.ratio === null ? 'baseline' : `${r.ratio.toFixed(2)}× ${r.baseline}`;
        console.log(
          `${r.tool.padEnd(10)} ${r.name.padEnd(30)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${r.p50Ms?.toFixed(2)} ms  p99 ${r.p99Ms?.toFixed(2)} ms  errors ${r.errors}  ${ratio}  rounds ${r.rounds.map((x) => x.toFixed(0)).join(', ')}${r.note ? `  (${r.note})` : ''}`,
        );
      }
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
