/**
 * Which process model serves nginx's connection-per-request traffic fastest here: node:cluster
 * round-robin, node:cluster SCHED_NONE, or child_process.fork with the listening handle passed to
 * each worker (what gateway/master uses). A bare uwsgi responder, nginx in front on a unix socket,
 * autocannon for a few seconds per row. `run()` returns the rows; runnable alone.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../helpers/load.js';
import { startNginxFront } from '../helpers/nginx-front.js';
import { spawnGroup, stopGroup } from '../helpers/process-group.js';

export interface ModelRow {
  model: string;
  workers: number;
  reqPerSec: number;
  p99ms: number;
  errors: number;
}

const PRIMARY = fileURLToPath(new URL('./process-model-primary.ts', import.meta.url));

async function measure(model: string, workers: number, seconds: number): Promise<ModelRow> {
  const sock = join(tmpdir(), `tsgi-pm-${process.pid}-${model}.sock`);
  const child = spawnGroup(
    process.execPath,
    [...process.execArgv, PRIMARY, model, String(workers), sock],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${model}: not ready`)), 15_000);
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const nginx = await startNginxFront(sock);
    try {
      const r = await load(`${nginx.url}/`, 50, seconds);
      return { model, workers, reqPerSec: r.rps, p99ms: r.p99Ms, errors: r.failed };
    } finally {
      await nginx.stop();
    }
  } finally {
    await stopGroup(child, { signal: 'SIGTERM', graceMs: 5000 });
  }
}

export async function run(seconds = 5): Promise<ModelRow[]> {
  const rows: ModelRow[] = [];
  for (const workers of [1, 2]) {
    for (const model of ['cluster-rr', 'cluster-none', 'fork-handle']) {
      rows.push(await measure(model, workers, seconds));
    }
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.table(await run(Number(process.env.BENCH_SECONDS ?? 5)));
}
