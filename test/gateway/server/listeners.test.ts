/**
 * A unix socket whose directory does not exist, from outside: the kernel says ENOENT and libuv
 * reports it as EACCES, which sends an operator to chmod. The error names the missing directory
 * instead (the common case: /run/tsgi emptied by a reboot).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, TEST_APP } from '../../helpers/master.js';

describe('gateway/server/listeners', () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-listeners-'));
    writeFileSync(join(dir, 'file'), '');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a unix socket in a directory that does not exist names the directory', () => {
    const missing = join(dir, 'missing');
    const notDir = join(dir, 'file');
    for (const [args, code] of [
      [['--socket', join(missing, 'app.sock')], 'ERR_GATEWAY_BIND_FAILED'],
      [['--master', '--socket', join(missing, 'app.sock')], 'ERR_GATEWAY_BIND_FAILED'],
      [['--http-socket', join(notDir, 'app.sock')], 'ERR_GATEWAY_BIND_FAILED'],
      [
        ['--master', '--socket', join(dir, 'ok.sock'), '--stats', join(missing, 's.sock')],
        'ERR_STATS_BIND',
      ],
    ] as const) {
      const run = runCli([...args, TEST_APP]);
      const out = `${run.stdout}${run.stderr}`;
      assert.equal(run.status, 3, out);
      assert.match(out, new RegExp(code), out);
      assert.match(out, /directory .* does not exist|is not a directory/, out);
      assert.doesNotMatch(out, /EACCES|permission denied/, out);
    }
  });
});
