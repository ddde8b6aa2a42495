/**
 * `tsgi --stop PIDFILE` / `--reload PIDFILE` against a pidfile that is not ours, from outside: a
 * stale pidfile whose pid now belongs to another live process (pid reuse after a crash, a file
 * edited by hand) must not get that process signalled.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alive, runCli } from '../../helpers/master.js';

describe('gateway/master/pidfile', () => {
  let dir: string;
  const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-pidfile-'));
  });
  after(() => {
    bystander.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  for (const action of ['--stop', '--reload']) {
    it(`${action} refuses a pidfile holding the pid of a live process that is no tsgi master`, async () => {
      const pid = bystander.pid!;
      const pidfile = join(dir, 'app.pid');
      writeFileSync(pidfile, `${pid}\n`);
      const run = runCli([action, pidfile]);
      assert.equal(run.status, 1, `${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /ERR_MASTER_PIDFILE/);
      assert.match(run.stderr, new RegExp(`pid ${pid} .*not a tsgi master`));
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(alive(pid), 'the other process was signalled');
    });
  }
});
