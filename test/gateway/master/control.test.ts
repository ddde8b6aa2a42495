/**
 * Controlling a running master: `tsgi --reload PIDFILE`, the master FIFO letters, --touch-reload,
 * `tsgi --stop PIDFILE` (graceful, exit 0), --vacuum, --chmod-socket and --chown-socket.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alive, type MasterProcess, ROOT, startMaster, TEST_APP } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

function cli(args: string[]) {
  return spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'gateway/cli.ts', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
}

describe('gateway/master: control', () => {
  let dir: string;
  let sock: string;
  let pidfile: string;
  let fifo: string;
  let touch: string;
  let master: MasterProcess;
  const isRoot = process.getuid?.() === 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-control-'));
    sock = join(dir, 'app.sock');
    pidfile = join(dir, 'master.pid');
    fifo = join(dir, 'master.fifo');
    touch = join(dir, 'reload.touch');
    writeFileSync(touch, '');
    writeFileSync(`${touch}.chain`, '');
    master = await startMaster(
      [
        // Up to 2 workers, starting with 1 (FIFO + and - move between them; the slow
        // cheaper-overload keeps the algorithm itself out of the way).
        '--master',
        '--processes',
        '2',
        '--cheaper',
        '1',
        '--cheaper-overload',
        '60',
        '--socket',
        sock,
        '--pidfile',
        pidfile,
        '--master-fifo',
        fifo,
        '--touch-reload',
        touch,
        '--touch-chain-reload',
        `${touch}.chain`,
        '--vacuum',
        '--chmod-socket',
        '660',
        ...(isRoot ? ['--chown-socket', 'nobody:nogroup'] : []),
        '--disable-logging',
        TEST_APP,
      ],
      { workers: 1 },
    );
  });

  after(async () => {
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds the unix socket with --chmod-socket and --chown-socket, and writes the pidfile', () => {
    const st = statSync(sock);
    assert.equal(st.mode & 0o777, 0o660);
    if (isRoot) {
      assert.equal(st.uid, 65534);
      assert.equal(st.gid, 65534);
    }
    assert.equal(Number(readFileSync(pidfile, 'utf8')), master.pid);
  });

  it('tsgi --reload PIDFILE replaces the worker', async () => {
    const before = master.readyPids().length;
    const out = cli(['--reload', pidfile]);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, new RegExp(`sent SIGHUP to ${master.pid}`));
    await master.waitFor('a reloaded worker', () => master.readyPids().length > before);
    await master.waitForLine(/SIGHUP: rolling reload/);
  });

  it('the FIFO takes r, s, +, -, c and R', async () => {
    let n = master.readyPids().length;
    writeFileSync(fifo, 'r');
    await master.waitFor('fifo r reload', () => master.readyPids().length > n);
    await master.waitForLine(/fifo "r": rolling reload/);
    writeFileSync(fifo, 's');
    await master.waitForLine(/fifo "s": stats pid \d+, \d+ workers/);
    await master.waitForLine(/stats worker 1 pid \d+ (idle|busy) requests/);
    n = master.readyPids().length;
    writeFileSync(fifo, '+');
    await master.waitFor('a second worker', () => master.readyPids().length > n);
    writeFileSync(fifo, '-');
    await master.waitForLine(/ended \(cheaper, exit code 0\)/);
    n = master.readyPids().length;
    writeFileSync(fifo, 'c');
    await master.waitForLine(/fifo "c": rolling reload/);
    await master.waitFor('a chain-reloaded worker', () => master.readyPids().length > n);
    n = master.readyPids().length;
    writeFileSync(fifo, 'R');
    await master.waitForLine(/fifo "R": brutal reload/);
    await master.waitFor('a brutally reloaded worker', () => master.readyPids().length > n);
    assert.equal((await uwsgiGet(sock, '/')).status, 200);
    writeFileSync(fifo, 'x');
    await master.waitForLine(/ERR_MASTER_UNKNOWN_FIFO_COMMAND.*"x"/);
  });

  it('--touch-reload reloads when the file is touched', async () => {
    const n = master.readyPids().length;
    const later = new Date(Date.now() + 5000);
    utimesSync(touch, later, later);
    await master.waitForLine(/touch-reload .*reload\.touch: rolling reload/);
    await master.waitFor('a reloaded worker', () => master.readyPids().length > n);
    assert.equal((await uwsgiGet(sock, '/')).status, 200);
  });

  it('--touch-chain-reload reloads one worker at a time when the file is touched', async () => {
    const n = master.readyPids().length;
    const later = new Date(Date.now() + 10_000);
    utimesSync(`${touch}.chain`, later, later);
    await master.waitForLine(/touch-chain-reload .*reload\.touch\.chain: rolling reload/);
    await master.waitFor('a reloaded worker', () => master.readyPids().length > n);
  });

  it('tsgi --stop PIDFILE stops gracefully with exit 0, and --vacuum removes socket, pidfile and FIFO', async () => {
    const slow = uwsgiGet(sock, '/sleep?ms=800');
    await new Promise((r) => setTimeout(r, 200));
    const out = cli(['--stop', pidfile]);
    assert.equal(out.status, 0, out.stderr);
    const inflight = await slow;
    assert.equal(inflight.status, 200, 'the in-flight request finishes during a graceful stop');
    assert.equal(await master.exited, 0);
    for (const pid of master.readyPids()) assert.ok(!alive(pid));
    for (const path of [sock, pidfile, fifo]) assert.ok(!existsSync(path), `${path} left behind`);
  });

  it('--stop with a stale pidfile fails with a coded message', () => {
    writeFileSync(join(dir, 'stale.pid'), '999999\n');
    const out = cli(['--stop', join(dir, 'stale.pid')]);
    assert.equal(out.status, 1);
    assert.match(out.stderr, /ERR_MASTER_PIDFILE/);
  });
});
