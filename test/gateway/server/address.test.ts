/**
 * Socket addresses an operator mistypes, from outside (the CLI run to its end): each is refused
 * before anything is bound, with a stable code and the option's name; never a crash with a stack
 * and never a socket file bound at a path other than the one given.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAddress } from '../../../gateway/server/address.js';
import { runCli, TEST_APP } from '../../helpers/master.js';

describe('gateway/server/address', () => {
  let dir: string;
  let long: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-addr-'));
    // 108 bytes and more do not fit a sockaddr_un's sun_path: the kernel would bind a cut name.
    long = join(dir, `${'s'.repeat(120 - dir.length)}.sock`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a unix path longer than sun_path holds, and binds nothing', () => {
    assert.throws(() => parseAddress(long), { code: 'ERR_GATEWAY_BAD_ADDRESS' });
    assert.equal(parseAddress(long.slice(0, 107 - long.length)).type, 'unix');
    for (const args of [
      ['--socket', long],
      ['--master', '--socket', long],
      ['--http-socket', long],
      ['--master', '--socket', join(dir, 'ok.sock'), '--stats', long],
    ]) {
      const run = runCli([...args, TEST_APP]);
      const out = `${run.stdout}${run.stderr}`;
      assert.notEqual(run.status, 0, out);
      assert.match(out, /ERR_CONFIG_INVALID_VALUE/, out);
      assert.match(out, /sun_path/, out);
      assert.match(out, /--(socket|http-socket|stats)/, out);
      assert.doesNotMatch(out, /fatal|\n\s+at /, out);
      assert.deepEqual(readdirSync(dir), [], `${args.join(' ')} left ${readdirSync(dir)}`);
    }
  });

  it('a bad address is a config error naming the option, with or without --master', () => {
    for (const args of [
      ['--socket', 'foo:99999'],
      ['--master', '--socket', 'foo:99999'],
      ['--master', '--http-socket', ':abc'],
      ['--master', '--ssl-socket', 'foo:99999,cert.pem,key.pem'],
      ['--master', '--socket', join(dir, 'ok.sock'), '--stats', 'nowhere'],
    ]) {
      const run = runCli([...args, TEST_APP]);
      const out = `${run.stdout}${run.stderr}`;
      assert.equal(run.status, 2, out);
      assert.match(out, /ERR_CONFIG_INVALID_VALUE/, out);
      assert.match(out, /--(socket|http-socket|ssl-socket|stats)/, out);
      assert.doesNotMatch(out, /fatal|\n\s+at /, out);
      assert.deepEqual(readdirSync(dir), [], `${args.join(' ')} left ${readdirSync(dir)}`);
    }
  });
});
