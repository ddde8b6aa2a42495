/**
 * Collects the stats samples shown in docs/stats.md from a running gateway: a master with two
 * workers serving examples/hello.ts on a unix uwsgi socket, `--stats 127.0.0.1:PORT --stats-http`,
 * a few requests through the uwsgi socket, then the JSON (GET /) and the Prometheus text
 * (GET /metrics). scripts/gen-stats-samples.ts writes them to docs/samples/; the test compares
 * their shape with a live run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePacket } from '../../../gateway/uwsgi/index.js';
import { cleanEnv, ROOT, tsgiCommand } from '../../deploy/lib/tsgi-cli.js';
import { freePort } from '../../helpers/ports.js';
import { spawnGroup, stopGroup } from '../../helpers/process-group.js';
import { rawRequest } from '../../helpers/uwsgi-client.js';

export const STATS_JSON_SAMPLE = 'docs/samples/stats.json';
export const METRICS_SAMPLE = 'docs/samples/metrics.prom';

export interface StatsSamples {
  /** The stats document, pretty-printed. */
  json: string;
  metrics: string;
}

type Doc = { workers: Array<{ accepting: number; requests: number }> };

async function httpGet(port: number, path: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  return res.text();
}

export async function collectStatsSamples(requests = 12): Promise<StatsSamples> {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-stats-'));
  const port = await freePort();
  const socket = join(dir, 'app.sock');
  const [cmd, ...pre] = tsgiCommand();
  const child = spawnGroup(
    cmd!,
    [
      ...pre,
      ...['--master', '--processes', '2', '--socket', socket, '--disable-logging'],
      ...['--stats', `127.0.0.1:${port}`, '--stats-http', join(ROOT, 'examples/hello.ts')],
    ],
    { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (c) => {
    output += c;
  });
  child.stderr?.on('data', (c) => {
    output += c;
  });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const doc = await httpGet(port, '/')
        .then((t) => JSON.parse(t) as Doc)
        .catch(() => undefined);
      if (doc && doc.workers.length === 2 && doc.workers.every((w) => w.accepting === 1)) break;
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`the gateway did not get two accepting workers:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    for (let i = 0; i < requests; i++) {
      const path = i % 4 === 3 ? '/missing' : '/';
      const packet = encodePacket({
        REQUEST_METHOD: 'GET',
        REQUEST_URI: path,
        PATH_INFO: path,
        QUERY_STRING: '',
        SERVER_PROTOCOL: 'HTTP/1.1',
        SERVER_NAME: 'myapp.example.com',
        SERVER_PORT: '80',
        REMOTE_ADDR: '127.0.0.1',
      });
      const reply = await rawRequest({ path: socket }, packet);
      if (!reply.data.toString('latin1').startsWith('HTTP/1.1 ')) throw new Error('no reply');
    }
    // Workers report their counters on their heartbeat: wait until the master has them all.
    let json = '';
    for (const deadline = Date.now() + 10_000; ; ) {
      json = await httpGet(port, '/');
      const doc = JSON.parse(json) as Doc;
      if (doc.workers.reduce((n, w) => n + w.requests, 0) >= requests) break;
      if (Date.now() > deadline) throw new Error(`the stats never counted ${requests} requests`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const metrics = await httpGet(port, '/metrics');
    return { json: `${JSON.stringify(JSON.parse(json), null, 2)}\n`, metrics };
  } finally {
    await stopGroup(child, { signal: 'SIGTERM', graceMs: 15_000 });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A value's shape: object keys (recursively) and the type of each leaf; arrays by their first item. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shapeOf(v)]),
    );
  }
  return value === null ? 'null' : typeof value;
}

/** The metric names and types a Prometheus text declares (`# TYPE name type`). */
export function metricTypes(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('# TYPE '))
    .map((l) => l.slice(7))
    .sort();
}
