/**
 * The files the master creates (--master-fifo, --stats PATH, --pidfile, and --vacuum removing them)
 * in directories another local user can write to: nothing planted there is reused, deleted or
 * followed, and --vacuum after --uid leaves nothing behind without an error. Needs root (CI runs
 * as root); the other user is `nobody`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type MasterProcess,
  runCli,
  startMaster,
  TEST_APP,
  waitUntil,
} from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

const NOBODY = 65534;

describe('gateway/master: files the master creates', () => {
  let base: string;
  let n = 0;
  const masters: MasterProcess[] = [];
  /** A fresh directory: `mode` 1777 is a shared /tmp-like one, 0777 one without the sticky bit. */
  const dirOf = (mode: number): string => {
    const dir = join(base, `d${n++}`);
    mkdirSync(dir);
    chmodSync(dir, mode);
    return dir;
  };
  const refused = (args: string[], code: RegExp, dir: string) => {
    const out = runCli(['--master', '--socket', join(dir, 's.sock'), ...args, TEST_APP], 15_000);
    assert.equal(out.status, 3, `exit ${out.status}\n${out.stderr}`);
    assert.match(out.stderr, code);
    assert.doesNotMatch(out.stderr, /\n\s+at /, 'no stack trace');
    return out.stderr;
  };

  before(() => {
    assert.equal(process.getuid?.(), 0, 'these tests need root (CI runs as root)');
    base = mkdtempSync(join(tmpdir(), 'tsgi-owned-'));
    chmodSync(base, 0o755);
  });
  after(async () => {
    for (const m of masters) await m.stop();
    rmSync(base, { recursive: true, force: true });
  });

  // ---- item: --master-fifo never takes over a FIFO someone else prepared ----
  it('--master-fifo: a FIFO another user planted (mode 666) is refused, not reused', () => {
    const dir = dirOf(0o1777);
    const fifo = join(dir, 'master.fifo');
    execFileSync('mkfifo', ['-m', '666', fifo]);
    chownSync(fifo, NOBODY, NOBODY);
    const err = refused(['--master-fifo', fifo], /ERR_MASTER_FIFO/, dir);
    assert.match(err, /owned by uid 65534/);
    assert.ok(lstatSync(fifo).isFIFO(), 'left in place for the operator to look at');
  });

  it('--master-fifo: our own FIFO writable by others (mode 666) is refused', () => {
    const dir = dirOf(0o755);
    const fifo = join(dir, 'master.fifo');
    execFileSync('mkfifo', ['-m', '666', fifo]);
    refused(['--master-fifo', fifo], /ERR_MASTER_FIFO.*writable by others/, dir);
  });

  it('--master-fifo: a symlink to a FIFO is refused (never followed)', () => {
    const dir = dirOf(0o1777);
    const real = join(dir, 'real.fifo');
    execFileSync('mkfifo', ['-m', '600', real]);
    symlinkSync(real, join(dir, 'master.fifo'));
    refused(['--master-fifo', join(dir, 'master.fifo')], /ERR_MASTER_FIFO.*not a FIFO/, dir);
  });

  it('--master-fifo: our own stale FIFO (mode 600) is reused', async () => {
    const dir = dirOf(0o755);
    const fifo = join(dir, 'master.fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const { ino } = lstatSync(fifo);
    const m = await startMaster([
      '--master',
      '--socket',
      join(dir, 's.sock'),
      '--master-fifo',
      fifo,
      TEST_APP,
    ]);
    masters.push(m);
    assert.equal(lstatSync(fifo).ino, ino);
    writeFileSync(fifo, 'q');
    assert.equal(await m.exited, 0);
  });

  // ---- item: an existing file that is not ours is never deleted ----
  for (const [option, code] of [
    ['--stats', /ERR_STATS_BIND.*not a socket/],
    ['--master-fifo', /ERR_MASTER_FIFO.*not a FIFO/],
  ] as const) {
    it(`${option} PATH on an existing regular file: refused, the file kept`, () => {
      const dir = dirOf(0o755);
      const file = join(dir, 'precious.txt');
      writeFileSync(file, 'keep me\n');
      refused([option, file], code, dir);
      assert.equal(readFileSync(file, 'utf8'), 'keep me\n');
    });
  }

  // ---- item: --pidfile never follows a planted symlink ----
  it('--pidfile: a symlink planted in a writable directory is replaced, its target untouched', async () => {
    const dir = dirOf(0o777); // writable by all, no sticky bit
    const victim = join(base, 'victim');
    writeFileSync(victim, 'root:x:0:0\n');
    const pidfile = join(dir, 'tsgi.pid');
    symlinkSync(victim, pidfile);
    const m = await startMaster([
      '--master',
      '--socket',
      join(dir, 's.sock'),
      '--pidfile',
      pidfile,
      TEST_APP,
    ]);
    masters.push(m);
    assert.equal(readFileSync(victim, 'utf8'), 'root:x:0:0\n');
    assert.ok(lstatSync(pidfile).isFile(), 'the pidfile is a regular file now');
    assert.equal(readFileSync(pidfile, 'utf8').trim(), String(m.pid));
    await m.stop();
  });

  // ---- item: --vacuum after --uid removes everything, quietly ----
  for (const stop of ['SIGTERM', 'SIGINT', 'fifo q'] as const) {
    it(`--vacuum --uid nobody (${stop}): socket, stats socket, pidfile and FIFO in a root-owned directory are removed; exit 0`, async () => {
      const dir = dirOf(0o755); // root's: nobody cannot unlink here
      const fifo = join(dir, 'master.fifo');
      const m = await startMaster([
        '--master',
        '--socket',
        join(dir, 's.sock'),
        '--chmod-socket',
        '666',
        '--stats',
        join(dir, 'stats.sock'),
        '--pidfile',
        join(dir, 'tsgi.pid'),
        '--master-fifo',
        fifo,
        '--uid',
        'nobody',
        '--vacuum',
        TEST_APP,
      ]);
      masters.push(m);
      assert.equal((await uwsgiGet(join(dir, 's.sock'), '/')).status, 200);
      assert.deepEqual(readdirSync(dir).sort(), [
        'master.fifo',
        's.sock',
        'stats.sock',
        'tsgi.pid',
      ]);
      if (stop === 'fifo q') writeFileSync(fifo, 'q');
      else process.kill(m.pid, stop);
      assert.equal(await m.exited, 0, m.lines.join('\n'));
      const output = m.lines.join('\n');
      assert.doesNotMatch(output, /EACCES|EPERM|\n\s+at /, output);
      await waitUntil(
        `an empty directory (left: ${readdirSync(dir).join(', ')})`,
        () => readdirSync(dir).length === 0,
      );
    });
  }

  it('--vacuum: a file that replaced ours at the same path is not removed', async () => {
    const dir = dirOf(0o755);
    const pidfile = join(dir, 'tsgi.pid');
    const m = await startMaster([
      '--master',
      '--socket',
      join(dir, 's.sock'),
      '--pidfile',
      pidfile,
      '--uid',
      'nobody',
      '--vacuum',
      TEST_APP,
    ]);
    masters.push(m);
    // Written beside, then renamed over ours (as a newer instance's pidfile would be): a new inode.
    writeFileSync(`${pidfile}.new`, 'a newer instance\n');
    renameSync(`${pidfile}.new`, pidfile);
    await m.stop();
    await waitUntil('the socket removed', () => !existsSync(join(dir, 's.sock')));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(readFileSync(pidfile, 'utf8'), 'a newer instance\n');
  });
});
