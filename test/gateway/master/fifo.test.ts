/**
 * The master FIFO against a long write, from outside: a megabyte of letters (a runaway script,
 * `cat bigfile > fifo`) must neither flood the log with a line per byte nor queue an action per
 * byte; the master stays up and serving.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alive, type MasterProcess, startMaster, TEST_APP } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

describe('gateway/master/fifo', () => {
  let dir: string;
  let master: MasterProcess;
  let sock: string;
  let fifo: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-fifo-'));
    sock = join(dir, 'app.sock');
    fifo = join(dir, 'master.fifo');
    master = await startMaster(['--master', '--socket', sock, '--master-fifo', fifo, TEST_APP]);
  });
  after(async () => {
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a megabyte of unknown letters and of `s` is a few lines, not one per byte', {
    timeout: 60_000,
  }, async () => {
    // Written off the event loop: the master's log lines must keep draining meanwhile.
    await writeFile(fifo, `${'x'.repeat(512 * 1024)}${'s'.repeat(512 * 1024)}`);
    await master.waitForLine(/fifo "s": stats/);
    await new Promise((r) => setTimeout(r, 1000));
    const unknown = master.lines.filter((l) => l.includes('ERR_MASTER_UNKNOWN_FIFO_COMMAND'));
    const stats = master.lines.filter((l) => /fifo "s": stats/.test(l));
    assert.ok(unknown.length <= 64, `${unknown.length} unknown-command lines`);
    assert.ok(stats.length <= 64, `${stats.length} stats actions`);
    assert.ok(alive(master.pid));
    assert.equal((await uwsgiGet(sock, '/')).status, 200);
  });
});
