/**
 * docs/migrating-from-uwsgi.md: the worked example's uwsgi.ini is explained key by key by the real
 * CLI, the tsgi.ini loads, and the page's claims match the option table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findOption, OPTION_LIST } from '../../gateway/config/index.js';
import { BUILT_IN_UWSGI_KEYS, PYTHON_ONLY_KEYS } from '../../gateway/config/uwsgi-keys.js';
import { iniKeys, ROOT, runTsgi } from '../deploy/lib/tsgi-cli.js';

const GUIDE = readFileSync(join(ROOT, 'docs/migrating-from-uwsgi.md'), 'utf8');
const UWSGI_INI = readFileSync(join(ROOT, 'docs/migration/uwsgi.ini'), 'utf8');
const TSGI_INI = readFileSync(join(ROOT, 'deploy/tsgi.ini'), 'utf8');

const isPlanned = (key: string) => findOption(key)?.spec.status === 'planned';

describe('docs/migrating-from-uwsgi.md', () => {
  it('the worked example has the keys the issue lists', () => {
    const keys = new Set(iniKeys(UWSGI_INI).map((k) => k.key));
    for (const key of [
      'socket',
      'chdir',
      'master',
      'processes',
      'harakiri',
      'max-requests',
      'buffer-size',
      'post-buffering',
      'pidfile',
      'daemonize',
      'vacuum',
      'chmod-socket',
    ]) {
      assert.ok(keys.has(key), key);
    }
  });

  it('`tsgi --ini uwsgi.ini` warns once about each key it ignores, with its line, and asks only for the app', async () => {
    const run = await runTsgi(['--ini', 'uwsgi.ini'], { cwd: join(ROOT, 'docs/migration') });
    const out = run.stderr;
    assert.equal((out.match(/tsgi: warning: /g) ?? []).length, 1, 'one warning block');
    let warned = 0;
    for (const { key, line } of iniKeys(UWSGI_INI)) {
      const where = `'${key}' in uwsgi.ini:${line}`;
      const advice = PYTHON_ONLY_KEYS[key] ?? BUILT_IN_UWSGI_KEYS[key];
      if (advice !== undefined) {
        assert.ok(out.includes(`${where}: ${advice}`), key);
        warned++;
      } else {
        assert.ok(findOption(key), `${key} is a tsgi option`);
        assert.ok(!isPlanned(key), `${key} is implemented`);
        // A key tsgi takes is not mentioned in any warning or error.
        assert.ok(!out.includes(`'${key}' in`), key);
      }
    }
    assert.ok(warned >= 4, 'module, home, die-on-term and enable-threads at least');
    assert.doesNotMatch(out, /ERR_CONFIG_UNKNOWN_OPTION|ERR_CONFIG_NOT_SUPPORTED/);
    assert.match(out, /ERR_CONFIG_NO_APP: .*write the line `app = myapp\/wsgi\.ts:application`/);
    assert.equal(run.status, 2, 'a config error exits 2');
    const strict = await runTsgi(['--ini', 'uwsgi.ini', '--strict'], {
      cwd: join(ROOT, 'docs/migration'),
    });
    assert.equal(strict.status, 2);
    assert.match(strict.stderr, /ERR_CONFIG_INVALID: .*\n {2}ERR_CONFIG_PYTHON_ONLY/);
  });

  it('deploy/tsgi.ini loads as shipped (`tsgi --print-config`)', async () => {
    const run = await runTsgi(['--ini', join(ROOT, 'deploy/tsgi.ini'), '--print-config'], {
      env: { INSTANCE: '1' },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^socket = \/run\/tsgi\/myapp-1\/app\.sock$/m);
    assert.match(run.stdout, /^processes = 2$/m);
  });

  it('deploy/tsgi.ini names no Python-only or unsupported uWSGI key', () => {
    for (const { key } of iniKeys(TSGI_INI)) {
      assert.ok(findOption(key), `${key} is a tsgi option`);
    }
  });

  it('the line-by-line table covers every line of the uwsgi.ini', () => {
    const section = GUIDE.slice(GUIDE.indexOf('Line by line:'), GUIDE.indexOf('## Behaviours'));
    for (const { key } of iniKeys(UWSGI_INI)) {
      assert.ok(section.includes(`\`${key}`), `${key} is in the line-by-line table`);
    }
  });

  it('says what the table says about defaults and limits', () => {
    assert.equal(findOption('buffer-size')?.spec.default, 65535);
    assert.match(GUIDE, /buffer-size defaults to 65535/);
    for (const text of [
      'SIGTERM shuts down gracefully',
      '413',
      '431',
      '504',
      'A misspelled key is an error, a placeholder is not',
      '--strict` refuses every warning',
    ]) {
      assert.ok(GUIDE.includes(text), text);
    }
  });

  it('lists every uWSGI name the option table knows', () => {
    for (const { spec } of OPTION_LIST) {
      if (spec.uwsgi === null) continue;
      for (const name of spec.uwsgi.split(',').map((s) => s.trim())) {
        assert.ok(GUIDE.includes(`| \`${name}\` |`), name);
      }
    }
  });
});
