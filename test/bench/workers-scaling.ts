/**
 * Master/worker figures behind Debian's nginx (unix socket, a new upstream connection per request):
 * hello-world req/s with 1, 2 and 4 workers; the failed requests of a SIGHUP rolling reload under
 * load; the time a SIGKILLed worker takes to serve again; and the same for Debian's uWSGI (Python
 * hello world, --master --processes N) when it is installed. Every load is bounded (autocannon,
 * BENCH_SECONDS each, default 5). `run()` returns the rows; runnable alone:
 *   node --conditions=source --import tsx test/bench/workers-scaling.ts
 * The gateway is compiled once with tsconfig.build.json (what `npx tsgi` runs); set
 * TSGI_BENCH_SOURCE=1 to run it through tsx instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../helpers/load.js';
import { alive, type MasterProcess, ROOT, startMaster, TEST_APP } from '../helpers/master.js';
import { startNginxFront } from '../helpers/nginx-front.js';
import { spawnGroup, stopGroup } from '../helpers/process-group.js';
import { run as runProcessModels } from './process-model.js';

export interface ScalingRow {
  server: string;
  workers: number;
  scenario:
    | 'hello'
    | 'reload under load'
    | 'respawn after SIGKILL'
    | 'process model (bare responder)';
  reqPerSec: number;
  p99Ms: number;
  /** Failed requests (errors, timeouts, non-2xx) during the measurement. */
  failed: number;
  /** Respawn rows: ms from SIGKILL until a replacement reported ready. */
  ms?: number;
  tool: 'autocannon';
  note: string;
}

function safeKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

let SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
let WARMUP = 2;
const CONNECTIONS = 50;
const UWSGI_PLUGIN = '/usr/lib/uwsgi/plugins/python3_plugin.so';

function gatewayEntry(): string[] {
  if (process.env.TSGI_BENCH_SOURCE === '1')
    return ['--conditions=source', '--import', 'tsx', 'gateway/cli.ts'];
  // Inside the repo, so the build resolves tsx and the other packages from node_modules.
  const out = join(ROOT, 'node_modules/.cache/tsgi-bench-workers', String(process.pid));
  const tsc = join(ROOT, 'node_modules/.bin/tsc');
  spawnSync(tsc, ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], {
    cwd: ROOT,
    timeout: 180_000,
  });
  if (!existsSync(join(out, 'gateway/cli.js'))) {
    console.error('workers-scaling: build failed, running from source');
    return ['--conditions=source', '--import', 'tsx', 'gateway/cli.ts'];
  }
  return ['--conditions=source', join(out, 'gateway/cli.js')];
}

async function tsgiRows(entry: string[], dir: string, workers: number): Promise<RawRow[]> {
  const sock = join(dir, `tsgi-${workers}.sock`);
  const master: MasterProcess = await startMaster(
    [
      '--master',
      '--processes',
      String(workers),
      '--socket',
      sock,
      '--listen',
      '1024',
      '--disable-logging',
      TEST_APP,
    ],
    { workers, entry },
  );
  const nginx = await startNginxFront(sock);
  const rows: RawRow[] = [];
  const server = 'tsgi';
  try {
    if (WARMUP > 0) await load(`${nginx.url}/`, CONNECTIONS, WARMUP); // JIT warm-up
    const hello = await load(`${nginx.url}/`, CONNECTIONS, SECONDS);
    rows.push({
      server,
      workers,
      scenario: 'hello',
      reqPerSec: hello.rps,
      p99Ms: hello.p99Ms,
      failed: hello.failed,
    });
    if (workers === 2) {
      const before = master.readyPids();
      const running = load(`${nginx.url}/`, CONNECTIONS, SECONDS);
      await new Promise((r) => setTimeout(r, 1000));
      process.kill(master.pid, 'SIGHUP');
      const r = await running;
      await master.waitFor('reload done', () => before.every((p) => !alive(p)), 30_000);
      rows.push({
        server,
        workers,
        scenario: 'reload under load',
        reqPerSec: r.rps,
        p99Ms: r.p99Ms,
        failed: r.failed,
      });
      const victim = master.readyPids().at(-1)!;
      const n = master.readyPids().length;
      const under = load(`${nginx.url}/`, CONNECTIONS, 3);
      await new Promise((r2) => setTimeout(r2, 500));
      const t0 = Date.now();
      process.kill(victim, 'SIGKILL');
      await master.waitFor('respawn', () => master.readyPids().length > n, 20_000);
      const ms = Date.now() - t0;
      const k = await under;
      rows.push({
        server,
        workers,
        scenario: 'respawn after SIGKILL',
        reqPerSec: k.rps,
        p99Ms: k.p99Ms,
        failed: k.failed,
        ms,
      });
    }
  } finally {
    await nginx.stop();
    await master.stop();
  }
  return rows;
}

async function uwsgiRows(dir: string, workers: number): Promise<RawRow[]> {
  const sock = join(dir, `uwsgi-${workers}.sock`);
  const app = join(dir, 'hello.py');
  writeFileSync(
    app,
    'def application(environ, start_response):\n    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "12")])\n    return [b"Hello World\\n"]\n',
  );
  const pidfile = join(dir, `uwsgi-${workers}.pid`);
  const child = spawnGroup(
    'uwsgi',
    [
      '--plugin',
      'python3',
      '--master',
      '--processes',
      String(workers),
      '--socket',
      sock,
      '--chmod-socket=666',
      '--wsgi-file',
      app,
      '--disable-logging',
      '--listen',
      '1024',
      '--pidfile',
      pidfile,
      '--die-on-term',
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const rows: RawRow[] = [];
  try {
    const deadline = Date.now() + 15_000;
    while (!existsSync(sock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!existsSync(sock)) throw new Error(`uwsgi did not create ${sock}`);
    const nginx = await startNginxFront(sock);
    try {
      if (WARMUP > 0) await load(`${nginx.url}/`, CONNECTIONS, WARMUP);
      const hello = await load(`${nginx.url}/`, CONNECTIONS, SECONDS);
      rows.push({
        server: 'uwsgi',
        workers,
        scenario: 'hello',
        reqPerSec: hello.rps,
        p99Ms: hello.p99Ms,
        failed: hello.failed,
      });
      if (workers === 2) {
        const running = load(`${nginx.url}/`, CONNECTIONS, SECONDS);
        await new Promise((r) => setTimeout(r, 1000));
        if (child.pid) safeKill(child.pid, 'SIGHUP');
        const r = await running;
        rows.push({
          server: 'uwsgi',
          workers,
          scenario: 'reload under load',
          reqPerSec: r.rps,
          p99Ms: r.p99Ms,
          failed: r.failed,
        });
      }
    } finally {
      await nginx.stop();
    }
  } finally {
    await stopGroup(child, { signal: 'SIGINT', graceMs: 5000 });
  }
  return rows;
}

type RawRow = Omit<ScalingRow, 'tool' | 'note'>;

function progress(partial: RawRow): ScalingRow {
  const row: ScalingRow = {
    ...partial,
    tool: 'autocannon',
    note: `${partial.failed} failed requests`,
  };
  if (process.env.TSGI_BENCH_QUIET !== '1')
    console.error(`workers-scaling: ${JSON.stringify(row)}`);
  return row;
}

export async function run(
  options: { duration?: number; smoke?: boolean } = {},
): Promise<ScalingRow[]> {
  if (options.duration) SECONDS = options.duration;
  if (options.smoke) {
    SECONDS = 1;
    WARMUP = 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-bench-workers-'));
  const rows: ScalingRow[] = [];
  try {
    const entry = gatewayEntry();
    const haveUwsgi = spawnSync('uwsgi', ['--version']).status === 0 && existsSync(UWSGI_PLUGIN);
    for (const workers of [1, 2, 4]) {
      for (const row of await tsgiRows(entry, dir, workers)) rows.push(progress(row));
      if (haveUwsgi) for (const row of await uwsgiRows(dir, workers)) rows.push(progress(row));
    }
    // Why the master hands listening handles to forked workers (shared accept) instead of
    // node:cluster's default round-robin: the same bare responder under each model.
    for (const m of await runProcessModels(SECONDS)) {
      rows.push(
        progress({
          server: m.model,
          workers: m.workers,
          scenario: 'process model (bare responder)',
          reqPerSec: m.reqPerSec,
          p99Ms: m.p99ms,
          failed: m.errors,
        }),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(ROOT, 'node_modules/.cache/tsgi-bench-workers', String(process.pid)), {
      recursive: true,
      force: true,
    });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.table(await run());
}
