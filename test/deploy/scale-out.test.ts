/**
 * deploy/ end to end: Debian's nginx runs deploy/nginx-myapp.conf (templated into a temp dir, see
 * deploy/README.md) in front of two tsgi instances started as deploy/tsgi@.service starts them,
 * with deploy/tsgi.ini. Round robin, static files from nginx, and one instance stopped and started
 * again under a bounded load with zero failed requests.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installApp, installIni, makePaths, readDeploy, template } from './lib/deploy-files.js';
import { type Instance, startInstance } from './lib/instances.js';
import { runLoad } from './lib/load.js';
import { type SiteNginx, startSiteNginx } from './lib/site-nginx.js';
import { runTsgi, tsgiLauncher } from './lib/tsgi-cli.js';
import { parseUnit, type UnitFile } from './lib/unit-file.js';

const paths = makePaths();
let unit: UnitFile;
let nginx: SiteNginx;
const instances = new Map<string, Instance>();

async function get(path: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${nginx.port}${path}`, {
    headers: { host: 'myapp.example.com' },
    signal: AbortSignal.timeout(20_000),
  });
}

/** Waits until nginx sends requests to both instances again (after fail_timeout). */
async function bothServing(): Promise<Set<string>> {
  const seen = new Set<string>();
  const deadline = Date.now() + 10_000;
  while (seen.size < 2 && Date.now() < deadline) {
    const res = await get('/');
    assert.equal(res.status, 200);
    seen.add(res.headers.get('x-tsgi-instance') ?? '?');
    await res.text();
    await new Promise((r) => setTimeout(r, 20));
  }
  return seen;
}

function logOf(name: string): string {
  try {
    return readFileSync(join(paths.log, `myapp-${name}.log`), 'utf8');
  } catch {
    return '';
  }
}

/** The pids of instance `name`'s workers that answer `n` requests. */
async function pidsOf(name: string, n = 20): Promise<Set<string>> {
  const pids = new Set<string>();
  for (let i = 0; i < n; i++) {
    const res = await get('/pids');
    await res.text();
    if (res.headers.get('x-tsgi-instance') === name) pids.add(res.headers.get('x-tsgi-pid') ?? '?');
  }
  return pids;
}

describe('deploy/: nginx site, two tsgi instances behind one upstream', () => {
  before(async () => {
    installApp(paths, tsgiLauncher());
    installIni(paths);
    const unitText = template(readDeploy('tsgi@.service'), paths);
    writeFileSync(join(paths.conf, 'tsgi@.service'), unitText);
    unit = parseUnit(unitText);
    for (const name of ['1', '2']) instances.set(name, await startInstance(unit, paths.run, name));
    nginx = await startSiteNginx(paths);
  });

  after(async () => {
    await nginx?.stop();
    for (const instance of instances.values()) await instance.stop();
    rmSync(paths.root, { recursive: true, force: true });
  });

  it('serves static files from nginx, without the gateways', async () => {
    const res = await get('/static/hello.txt');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'static hello from nginx\n');
    assert.equal(res.headers.get('x-tsgi-instance'), null);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const log = nginx.accessLog().filter((l) => l.includes('/static/hello.txt'));
    assert.deepEqual(log, [], 'access_log off for /static/');
  });

  it("`tsgi --connect-and-read` on an instance's stats socket shows its master and workers", async () => {
    const run = await runTsgi(['--connect-and-read', join(paths.run, 'myapp-2/stats.sock')]);
    assert.equal(run.status, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as { pid: number; workers: Array<{ accepting: number }> };
    assert.equal(doc.pid, instances.get('2')!.pid, "the master is the unit's main process");
    assert.equal(doc.workers.length, 2, 'processes = 2');
    assert.ok(doc.workers.every((w) => w.accepting === 1));
  });

  it('sends requests to both instances in turn (round robin)', async () => {
    const counts: Record<string, number> = {};
    let previous = '';
    let alternations = 0;
    for (let i = 0; i < 20; i++) {
      const res = await get(`/rr/${i}`);
      assert.equal(res.status, 200);
      const who = res.headers.get('x-tsgi-instance') ?? '?';
      assert.match(await res.text(), new RegExp(`^instance ${who} pid \\d+ path /rr/${i}\\n$`));
      counts[who] = (counts[who] ?? 0) + 1;
      if (previous !== '' && who !== previous) alternations++;
      previous = who;
    }
    assert.deepEqual(Object.keys(counts).sort(), ['1', '2']);
    assert.equal(counts['1'], 10);
    assert.equal(alternations, 19, 'strict alternation with one nginx worker');
  });

  it('one instance stopped by a bare SIGTERM and started again under a GET load: 0 failed requests', async () => {
    const load = runLoad(`http://127.0.0.1:${nginx.port}`, {
      durationS: 6,
      connections: 8,
      paths: ['/', '/slow', '/a?b=c'],
    });
    await new Promise((r) => setTimeout(r, 1500));
    const old = instances.get('1')!;
    const code = await old.stop('SIGTERM');
    assert.equal(code, 0, `graceful stop exits 0:\n${old.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 1000));
    instances.set('1', await startInstance(unit, paths.run, '1'));
    const result = await load;
    console.log(`# stop/start under load: ${JSON.stringify(result)}`);
    assert.ok(result.total > 50, `enough requests to mean something (${result.total})`);
    assert.equal(result.errors, 0);
    assert.equal(result.timeouts, 0);
    assert.equal(result.non2xx, 0);
    assert.equal(result.ok2xx, result.total);
    assert.ok((result.byInstance['2'] ?? 0) > 0);
    assert.deepEqual([...(await bothServing())].sort(), ['1', '2']);
    assert.doesNotMatch(nginx.errorLog(), /no live upstreams/);
  });

  it('one instance stopped by a bare SIGTERM and started again under a POST load: 0 failed requests', async () => {
    const load = runLoad(`http://127.0.0.1:${nginx.port}`, {
      durationS: 6,
      connections: 8,
      paths: ['/form', '/slow'],
      method: 'POST',
    });
    await new Promise((r) => setTimeout(r, 1500));
    // No ExecStop= step (docker stop, kill): the master itself removes its socket file first, so
    // nginx's new connects fail before anything is sent (POSTs are never retried once sent), and
    // its workers accept what is already queued before they stop accepting.
    const old = instances.get('1')!;
    const code = await old.stop('SIGTERM');
    assert.equal(code, 0, old.lines.join('\n'));
    await new Promise((r) => setTimeout(r, 1000));
    instances.set('1', await startInstance(unit, paths.run, '1'));
    const result = await load;
    console.log(`# stop/start under POST load: ${JSON.stringify(result)}`);
    assert.ok(result.total > 50, `enough requests to mean something (${result.total})`);
    assert.equal(result.errors + result.timeouts + result.non2xx, 0, nginx.errorLog());
    assert.deepEqual([...(await bothServing())].sort(), ['1', '2']);
  });

  it('one instance reloaded (SIGHUP, systemctl reload) under a POST load: 0 failed requests, new workers', async () => {
    const t0 = Date.now();
    const before = await pidsOf('1');
    const tBefore = Date.now() - t0;
    assert.ok(before.size > 0);
    const master = instances.get('1')!;
    const load = runLoad(`http://127.0.0.1:${nginx.port}`, {
      durationS: 6,
      connections: 8,
      paths: ['/', '/slow', '/a?b=c'],
      method: 'POST',
    });
    await new Promise((r) => setTimeout(r, 1500));
    master.signal('SIGHUP');
    const result = await load;
    const tLoad = Date.now() - t0;
    console.log(`# SIGHUP under POST load: ${JSON.stringify(result)}`);
    assert.ok(result.total > 50, `enough requests to mean something (${result.total})`);
    assert.equal(result.errors, 0);
    assert.equal(result.timeouts, 0);
    assert.equal(result.non2xx, 0);
    assert.ok((result.byInstance['1'] ?? 0) > 0, 'instance 1 kept serving during its reload');
    // Same master, new workers: none of the old pids answers any more.
    const deadline = Date.now() + 15_000;
    let after = await pidsOf('1');
    while ([...after].some((p) => before.has(p)) && Date.now() < deadline)
      after = await pidsOf('1');
    const tNew = Date.now() - t0;
    console.log(`# SIGHUP timings (ms): old pids read ${tBefore}, load done ${tLoad}, new ${tNew}`);
    assert.ok(after.size > 0);
    assert.deepEqual(
      [...after].filter((p) => before.has(p)),
      [],
      logOf('1'),
    );
    assert.equal(master.pid, instances.get('1')!.pid);
    assert.match(logOf('1'), /rolling reload/);
  });

  it('logrotate moves the logto files and SIGUSR2 makes each master reopen its log', async () => {
    const conf = join(paths.conf, 'logrotate-tsgi');
    writeFileSync(conf, template(readDeploy('logrotate-tsgi'), paths), { mode: 0o644 });
    const old1 = logOf('1');
    assert.match(old1, /GET \//, 'request lines went to the logto file');
    const run = spawnSync('logrotate', ['-f', '-s', join(paths.conf, 'logrotate.state'), conf], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
    for (const name of ['1', '2']) {
      const rotated = join(paths.log, `myapp-${name}.log.1`);
      assert.ok(existsSync(rotated), `${rotated} (delaycompress: not compressed yet)`);
      // The master reopened the file by name: the new file gets the reopen line, then requests.
      const deadline = Date.now() + 5000;
      while (!/log file reopened/.test(logOf(name)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(logOf(name), /log file reopened/);
      assert.match(readFileSync(rotated, 'utf8'), /GET \//);
    }
    for (let i = 0; i < 4; i++) await (await get(`/after-rotate/${i}`)).text();
    const deadline = Date.now() + 5000;
    while (!(/after-rotate/.test(logOf('1')) && /after-rotate/.test(logOf('2')))) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(logOf('1'), /after-rotate/);
    assert.match(logOf('2'), /after-rotate/);
  });
});
