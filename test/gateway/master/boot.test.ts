/**
 * Starting and identity: an app that cannot load ends the gateway with exit code 4 and a clear
 * message (no crash loop); --uid/--gid drop privileges after binding; --daemonize with --pidfile
 * detaches and is stopped through the pidfile.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { alive, type MasterProcess, ROOT, startMaster, TEST_APP } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

function cli(args: string[], timeout = 30_000) {
  const started = Date.now();
  const out = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'gateway/cli.ts', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout,
    },
  );
  return { ...out, ms: Date.now() - started };
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every directory on the way is searchable by others, and the file is executable by them. */
function othersCanRun(path: string): boolean {
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const mode = statSync(`/${parts.slice(0, i).join('/')}`).mode;
    if ((mode & 0o001) === 0) return false;
  }
  return true;
}

function statusIds(pid: number): { uid: number; gid: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    uid: Number(/^Uid:\s+(\d+)/m.exec(text)?.[1]),
    gid: Number(/^Gid:\s+(\d+)/m.exec(text)?.[1]),
  };
}

describe('gateway/master: boot, identity, daemon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-boot-'));
  const masters: MasterProcess[] = [];
  const daemonPids: number[] = [];
  after(async () => {
    for (const m of masters) await m.stop();
    for (const pid of daemonPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('an app that fails to load ends the gateway with exit code 4 and a clear message', () => {
    const out = cli([
      '--master',
      '--processes',
      '2',
      '--socket',
      join(dir, 'broken.sock'),
      'test/gateway/master/fixtures/broken-app.ts',
    ]);
    assert.equal(out.status, 4, out.stderr);
    assert.match(out.stderr, /this app fails at import time/);
    assert.match(out.stderr, /ERR_MASTER_APP_LOAD/);
    // One attempt per worker, no respawn loop (each report also carries the app's stack, so
    // count the reports, not the lines naming the error).
    assert.ok((out.stderr.match(/ERR_GATEWAY_APP_LOAD/g) ?? []).length <= 2, out.stderr);
  });

  it('a missing app file also exits 4', () => {
    const out = cli(['--master', '--socket', join(dir, 'missing.sock'), 'no/such/app.ts']);
    assert.equal(out.status, 4, out.stderr);
    assert.match(out.stderr, /ERR_GATEWAY_APP_LOAD/);
  });

  it('a socket that cannot be bound exits 3', () => {
    const out = cli(['--master', '--socket', '/nonexistent-dir/app.sock', TEST_APP]);
    assert.equal(out.status, 3, out.stderr);
    assert.match(out.stderr, /ERR_GATEWAY_BIND_FAILED/);
  });

  it('a stats socket or FIFO that cannot be created exits 3 with a coded message', () => {
    const stats = cli([
      '--master',
      '--socket',
      join(dir, 's1.sock'),
      '--stats',
      '/nonexistent-dir/stats.sock',
      TEST_APP,
    ]);
    assert.equal(stats.status, 3, stats.stderr);
    assert.match(stats.stderr, /ERR_STATS_BIND/);
    const fifo = cli([
      '--master',
      '--socket',
      join(dir, 's2.sock'),
      '--master-fifo',
      '/nonexistent-dir/fifo',
      TEST_APP,
    ]);
    assert.equal(fifo.status, 3, fifo.stderr);
    assert.match(fifo.stderr, /ERR_MASTER_FIFO/);
  });

  it('--uid/--gid: the master and workers drop privileges after binding', async () => {
    // As root: drop to nobody/nogroup, when nobody can run this node binary (npx's Node 24 lives
    // under /root). Otherwise: "drop" to ourselves (setuid to the same id works).
    const root = process.getuid?.() === 0 && othersCanRun(process.execPath);
    const uid = root ? 65534 : (process.getuid?.() ?? 0);
    const gid = root ? 65534 : (process.getgid?.() ?? 0);
    const sock = join(dir, 'uid.sock');
    const m = await startMaster(
      [
        '--master',
        '--socket',
        sock,
        '--chmod-socket',
        '666',
        '--uid',
        root ? 'nobody' : String(uid),
        '--gid',
        root ? 'nogroup' : String(gid),
        TEST_APP,
      ],
      { workers: 1 },
    );
    masters.push(m);
    assert.equal(statSync(sock).uid, process.getuid?.(), 'bound before the drop');
    assert.deepEqual(statusIds(m.pid), { uid, gid });
    const [worker] = m.readyPids();
    assert.deepEqual(statusIds(worker!), { uid, gid });
    assert.equal((await uwsgiGet(sock, '/')).status, 200);
    await m.waitForLine(new RegExp(`now running as gid ${gid}, uid ${uid}`));
  });

  it('--daemonize LOGFILE with --pidfile: detaches, logs to the file, stops through the pidfile', async () => {
    const sock = join(dir, 'daemon.sock');
    const pidfile = join(dir, 'daemon.pid');
    const logfile = join(dir, 'daemon.log');
    const out = cli([
      '--master',
      '--socket',
      sock,
      '--pidfile',
      pidfile,
      '--daemonize',
      logfile,
      '--vacuum',
      TEST_APP,
    ]);
    assert.equal(out.status, 0, out.stderr);
    assert.ok(out.ms < 10_000);
    await waitUntil(
      'the pidfile',
      () => existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim() !== '',
    );
    const pid = Number(readFileSync(pidfile, 'utf8'));
    daemonPids.push(pid);
    assert.ok(alive(pid));
    await waitUntil('a ready worker in the log', () =>
      /worker 1 \(pid \d+\) ready/.test(readFileSync(logfile, 'utf8')),
    );
    // Its own session: not our process group.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    assert.equal(Number(stat[3]), pid, 'the daemon leads its own session');
    assert.equal((await uwsgiGet(sock, '/')).status, 200);
    const stop = cli(['--stop', pidfile]);
    assert.equal(stop.status, 0, stop.stderr);
    await waitUntil('the daemon to exit', () => !alive(pid));
    assert.ok(!existsSync(pidfile) && !existsSync(sock), 'vacuum after daemon stop');
    assert.match(readFileSync(logfile, 'utf8'), /SIGTERM: graceful shutdown/);
  });
});
