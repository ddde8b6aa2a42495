import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfigFiles, splitFileSpec } from '../../../gateway/config/files.js';
import type { RawSetting } from '../../../gateway/config/origin.js';
import { runCli, TEST_APP } from '../../helpers/master.js';
import { HOST, tempFiles } from './temp-files.js';

const flag = { kind: 'cli', flag: '--ini' } as const;
const ini = (spec: string): RawSetting => ({ name: 'ini', value: spec, origin: flag });
const load = (cwd: string, requests: RawSetting[], env: Record<string, string> = {}) =>
  loadConfigFiles(requests, { cwd, env, host: HOST });
const pairs = (layer: ReturnType<typeof load>) => layer.settings.map((s) => [s.name, s.value]);

describe('gateway/config/files', () => {
  it('splits FILE:SECTION, but not a colon inside a path', () => {
    assert.deepEqual(splitFileSpec('uwsgi.ini:app1'), { path: 'uwsgi.ini', section: 'app1' });
    assert.deepEqual(splitFileSpec('uwsgi.ini'), { path: 'uwsgi.ini', section: undefined });
    assert.deepEqual(splitFileSpec('a:b/uwsgi.ini'), { path: 'a:b/uwsgi.ini', section: undefined });
  });

  it('reads a file relative to cwd and records each line as ini:PATH:LINE', () => {
    const dir = tempFiles({ 'uwsgi.ini': '[uwsgi]\nlisten = 64\n' });
    const layer = load(dir, [ini('uwsgi.ini')]);
    assert.deepEqual(layer.settings, [
      { name: 'listen', value: '64', origin: { kind: 'ini', path: 'uwsgi.ini', line: 2 } },
    ]);
    assert.deepEqual(layer.files, [join(dir, 'uwsgi.ini')]);
  });

  it('resolves %(name) to the FIRST occurrence of the key, across files', () => {
    const dir = tempFiles({
      'a.ini': '[uwsgi]\nchdir = /srv/first\nchdir = /srv/second\nlogto = %(chdir)/log\n',
    });
    const layer = load(dir, [ini('a.ini')]);
    assert.deepEqual(pairs(layer).at(-1), ['logto', '/srv/first/log']);
  });

  it('resolves %(name) through aliases and set-placeholder', () => {
    const dir = tempFiles({
      'a.ini':
        '[uwsgi]\nset-placeholder = base=/srv/shop\nworkers = 3\nsocket = %(base)/%(processes).sock\n',
    });
    assert.deepEqual(pairs(load(dir, [ini('a.ini')])), [
      ['workers', '3'],
      ['socket', '/srv/shop/3.sock'],
    ]);
  });

  it('applies magic variables of the file that holds the line', () => {
    const dir = tempFiles({
      'etc/main.ini': '[uwsgi]\nini = %dsub/other.ini\nsocket = %d%n.sock\n',
      'etc/sub/other.ini': '[uwsgi]\npidfile = %d%n.pid\nstats = %c-%h-%k\n',
    });
    assert.deepEqual(pairs(load(dir, [ini('etc/main.ini')])), [
      ['pidfile', `${dir}/etc/sub/other.pid`],
      ['stats', 'sub-testhost-8'],
      ['socket', `${dir}/etc/main.sock`],
    ]);
  });

  it('expands ini = lines in place, as uWSGI does', () => {
    const dir = tempFiles({
      'main.ini': '[uwsgi]\nlisten = 1\nini = inc.ini:extra\nlisten = 3\n',
      'inc.ini': '[extra]\nlisten = 2\n',
    });
    assert.deepEqual(pairs(load(dir, [ini('main.ini')])), [
      ['listen', '1'],
      ['listen', '2'],
      ['listen', '3'],
    ]);
  });

  it('expands $(ENV) in values', () => {
    const dir = tempFiles({ 'a.ini': '[uwsgi]\nsocket = /run/$(APP_NAME).sock\n' });
    assert.deepEqual(pairs(load(dir, [ini('a.ini')], { APP_NAME: 'shop' })), [
      ['socket', '/run/shop.sock'],
    ]);
  });

  it('reads JSON files with the same substitutions', () => {
    const dir = tempFiles({
      'c.json': '{"uwsgi": {"socket": ["%d%n.sock", ":3031"], "listen": 9}}',
    });
    const layer = load(dir, [{ name: 'json', value: 'c.json', origin: flag }]);
    assert.deepEqual(pairs(layer), [
      ['socket', `${dir}/c.sock`],
      ['socket', ':3031'],
      ['listen', '9'],
    ]);
    assert.deepEqual(layer.settings[0]!.origin, {
      kind: 'json',
      path: 'c.json',
      key: 'uwsgi.socket',
    });
  });

  it('names the file and who asked for it when it cannot be read', () => {
    const dir = tempFiles({});
    assert.throws(() => load(dir, [ini('nope.ini')]), {
      code: 'ERR_CONFIG_FILE_READ',
      message: /nope\.ini \(ENOENT\), named by --ini on the command line/,
    });
  });

  it('refuses files that include each other', () => {
    const dir = tempFiles({ 'a.ini': '[uwsgi]\nini = b.ini\n', 'b.ini': '[uwsgi]\nini = a.ini\n' });
    assert.throws(() => load(dir, [ini('a.ini')]), { code: 'ERR_CONFIG_INCLUDE_LOOP' });
  });

  it('reports a malformed set-placeholder as an error of the layer', () => {
    const dir = tempFiles({ 'a.ini': '[uwsgi]\nset-ph = novalue\n' });
    assert.deepEqual(
      load(dir, [ini('a.ini')]).errors.map((e) => e.code),
      ['ERR_CONFIG_INVALID_VALUE'],
    );
  });

  it('a config file that never ends or is huge is refused quickly, naming the limit', () => {
    const dir = tempFiles({ 'huge.ini': `[uwsgi]\n${'# padding\n'.repeat(120_000)}` });
    for (const args of [
      ['--ini', '/dev/zero'],
      ['--ini', join(dir, 'huge.ini')],
      ['--json', '/dev/zero'],
    ]) {
      const run = runCli([...args, '--socket', join(dir, 'a.sock'), TEST_APP], 15_000);
      const out = `${run.stdout}${run.stderr}`;
      assert.equal(run.status, 2, `${args.join(' ')}: ${out.slice(0, 500)}`);
      assert.match(out, /ERR_CONFIG_FILE_READ/);
      assert.match(out, /over 1 MiB/);
    }
  });

  it('an unknown key of a megabyte is an error at once, shown shortened', () => {
    const dir = tempFiles({ 'long.ini': `[uwsgi]\n${'k'.repeat(900_000)} = 1\n` });
    const run = runCli(['--ini', join(dir, 'long.ini'), TEST_APP], 15_000);
    const out = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 2, out.slice(0, 500));
    assert.match(out, /ERR_CONFIG_UNKNOWN_OPTION/);
    assert.ok(out.length < 2000, `${out.length} bytes of output`);
  });
});
