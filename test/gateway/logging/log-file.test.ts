/**
 * --logto paths an operator gets wrong, from outside: a file that cannot be opened at start is a
 * coded error and exit 3 (not a crash with a stack), and one that cannot be reopened after
 * logrotate (FIFO `l`, SIGUSR2) keeps the master serving on the old file, with a warning there.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  alive,
  type MasterProcess,
  runCli,
  startMaster,
  TEST_APP,
  waitUntil,
} from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

describe('gateway/logging/log-file', () => {
  let dir: string;
  let master: MasterProcess | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-logto-'));
  });
  after(async () => {
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a --logto that cannot be opened is ERR_LOG_FILE naming the path, exit 3', () => {
    for (const logto of [join(dir, 'missing', 'x.log'), dir]) {
      for (const extra of [['--master'], []]) {
        const run = runCli([...extra, '--socket', join(dir, 'a.sock'), '--logto', logto, TEST_APP]);
        const out = `${run.stdout}${run.stderr}`;
        assert.equal(run.status, 3, out);
        assert.match(out, /ERR_LOG_FILE/, out);
        assert.ok(out.includes(logto), out);
        assert.doesNotMatch(out, /fatal|\n\s+at /, out);
      }
    }
  });

  it('a --daemonize log that cannot be opened is ERR_LOG_FILE too, and nothing is started', () => {
    const logto = join(dir, 'missing', 'daemon.log');
    const run = runCli([
      '--master',
      '--socket',
      join(dir, 'd.sock'),
      '--daemonize',
      logto,
      TEST_APP,
    ]);
    const out = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 3, out);
    assert.match(out, /ERR_LOG_FILE/, out);
    assert.ok(out.includes(logto), out);
  });

  it('a reopen that fails keeps the master serving and writing to the old file', async () => {
    const sock = join(dir, 'app.sock');
    const logfile = join(dir, 'tsgi.log');
    const fifo = join(dir, 'master.fifo');
    master = await startMaster(
      ['--master', '--socket', sock, '--logto', logfile, '--master-fifo', fifo, TEST_APP],
      { workers: 0 },
    );
    await waitUntil(
      'the worker ready in the log',
      () => /worker 1 \(pid \d+\) ready/.test(read(logfile)),
      20_000,
    );
    // logrotate moved the file, and a directory now stands where the new file would be opened.
    renameSync(logfile, `${logfile}.1`);
    mkdirSync(logfile);
    writeFileSync(fifo, 'l');
    await waitUntil('the warning in the old file', () => /ERR_LOG_FILE/.test(read(`${logfile}.1`)));
    assert.ok(alive(master.pid), 'the master is still running');
    assert.equal((await uwsgiGet(sock, '/')).status, 200);
    await waitUntil('the request line in the old file', () => /GET \/ /.test(read(`${logfile}.1`)));
    // Once the path is usable again, the next reopen moves to it.
    rmSync(logfile, { recursive: true });
    process.kill(master.pid, 'SIGUSR2');
    await waitUntil('the new file', () => /SIGUSR2: log file reopened/.test(read(logfile)));
  });
});
