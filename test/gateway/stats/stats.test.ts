/**
 * The stats server with a real master: one JSON document per connection with uWSGI's field names
 * and types (so uwsgitop works), `tsgi --connect-and-read`, --stats-http with /metrics.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectAndRead } from '../../../gateway/stats/connect-and-read.js';
import {
  STATS_KEYS,
  STATS_SOCKET_KEYS,
  STATS_WORKER_KEYS,
} from '../../../gateway/stats/document.js';
import { type MasterProcess, ROOT, startMaster, TEST_APP } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';
import { freePort } from '../../helpers/nginx-front.js';

function httpGet(
  port: number,
  path: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway/stats', () => {
  let dir: string;
  let sock: string;
  let statsPort: number;
  let httpPort: number;
  let master: MasterProcess;
  let httpMaster: MasterProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-stats-'));
    sock = join(dir, 'app.sock');
    statsPort = await freePort();
    httpPort = await freePort();
    master = await startMaster(
      [
        '--master',
        '--processes',
        '2',
        '--socket',
        sock,
        '--stats',
        `127.0.0.1:${statsPort}`,
        '--disable-logging',
        TEST_APP,
      ],
      { workers: 2 },
    );
    httpMaster = await startMaster(
      [
        '--master',
        '--socket',
        join(dir, 'h.sock'),
        '--stats',
        `127.0.0.1:${httpPort}`,
        '--stats-http',
        '--disable-logging',
        TEST_APP,
      ],
      { workers: 1 },
    );
  });

  after(async () => {
    await master?.stop();
    await httpMaster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers one JSON document per connection with the uWSGI field names and types', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await uwsgiGet(sock, '/')).status, 200);
    assert.equal((await uwsgiGet(sock, '/throw')).status, 500);
    await new Promise((r) => setTimeout(r, 1200)); // one heartbeat
    const doc = JSON.parse(await connectAndRead(`127.0.0.1:${statsPort}`));
    for (const key of STATS_KEYS) assert.ok(key in doc, `missing ${key}`);
    assert.equal(typeof doc.version, 'string');
    assert.equal(doc.pid, master.pid);
    for (const key of ['uid', 'gid', 'listen_queue', 'listen_queue_errors', 'load'] as const) {
      assert.equal(typeof doc[key], 'number', key);
    }
    assert.equal(typeof doc.cwd, 'string');
    assert.equal(doc.sockets.length, 1);
    for (const key of STATS_SOCKET_KEYS) assert.ok(key in doc.sockets[0], `socket ${key}`);
    assert.equal(doc.sockets[0].name, sock);
    assert.equal(doc.sockets[0].proto, 'uwsgi');
    assert.equal(doc.workers.length, 2);
    for (const w of doc.workers) {
      for (const key of STATS_WORKER_KEYS) assert.ok(key in w, `worker ${key}`);
      for (const key of STATS_WORKER_KEYS.filter((k) => k !== 'status')) {
        assert.equal(typeof w[key], 'number', `worker ${key}`);
      }
      assert.ok(['idle', 'busy', 'cheap'].includes(w.status));
      assert.ok(w.rss > 0 && w.vsz > 0);
      assert.ok(Array.isArray(w.apps) && Array.isArray(w.cores));
    }
    assert.deepEqual(
      doc.workers.map((w: { id: number }) => w.id),
      [1, 2],
    );
    const total = doc.workers.reduce((a: number, w: { requests: number }) => a + w.requests, 0);
    const exceptions = doc.workers.reduce(
      (a: number, w: { exceptions: number }) => a + w.exceptions,
      0,
    );
    assert.equal(total, 6);
    assert.equal(exceptions, 1);
    // Requests read at accept (the packet was there already): a share of the six, never more.
    const reads = doc.workers.map((w: { accept_reads: unknown }) => w.accept_reads);
    assert.ok(
      reads.every((n: unknown) => typeof n === 'number' && n >= 0),
      JSON.stringify(reads),
    );
    assert.ok(reads.reduce((a: number, n: number) => a + n, 0) <= total);
    assert.ok(doc.workers.every((w: { accepting: number }) => w.accepting === 1));
    assert.ok(doc.workers.some((w: { tx: number; avg_rt: number }) => w.tx > 0 && w.avg_rt > 0));
  });

  it('tsgi --connect-and-read prints the document', () => {
    const out = spawnSync(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'gateway/cli.ts',
        '--connect-and-read',
        `127.0.0.1:${statsPort}`,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 20_000 },
    );
    assert.equal(out.status, 0, out.stderr);
    assert.equal(JSON.parse(out.stdout).pid, master.pid);
  });

  it('--connect-and-read to a dead address fails with a coded message', () => {
    const out = spawnSync(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'gateway/cli.ts',
        '--connect-and-read',
        join(dir, 'nothing.sock'),
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 20_000 },
    );
    assert.equal(out.status, 1);
    assert.match(out.stderr, /ERR_STATS_CONNECT/);
  });

  it('--stats-http serves the JSON over HTTP and Prometheus text at /metrics', async () => {
    await uwsgiGet(join(dir, 'h.sock'), '/');
    await new Promise((r) => setTimeout(r, 1200));
    const json = await httpGet(httpPort, '/');
    assert.equal(json.status, 200);
    assert.equal(json.type, 'application/json');
    assert.equal(JSON.parse(json.body).pid, httpMaster.pid);
    const metrics = await httpGet(httpPort, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.type, /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.body, /^# HELP tsgi_workers /m);
    assert.match(metrics.body, /^tsgi_requests_total\{status="2xx"\} 1$/m);
    assert.match(metrics.body, /^tsgi_worker_requests_total\{worker="1"\} 1$/m);
  });
});
