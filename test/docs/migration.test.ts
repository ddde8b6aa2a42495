/**
 * docs/migrating-from-uwsgi.md: the worked example's uwsgi.ini is explained key by key by the real
 * CLI, the tsgi.ini loads, and the page's claims match the option table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findOption, OPTION_LIST } from '../../gateway/config/index.js';
import { PYTHON_ONLY_KEYS, UNSUPPORTED_UWSGI_KEYS } from '../../gateway/config/uwsgi-keys.js';
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

  it('`tsgi --ini uwsgi.ini` explains each key it cannot use, with its line, and only those', async () => {
    const run = await runTsgi(['--ini', 'uwsgi.ini'], { cwd: join(ROOT, 'docs/migration') });
    const out = run.stderr;
    const plannedLine = out.split('\n').find((l) => l.includes('ERR_CONFIG_OPTION_PLANNED')) ?? '';
    let refused = 0;
    for (const { key, line } of iniKeys(UWSGI_INI)) {
      const where = `'${key}' in uwsgi.ini:${line}`;
      const python = PYTHON_ONLY_KEYS[key];
      const unsupported = UNSUPPORTED_UWSGI_KEYS[key];
      if (python !== undefined) {
        assert.ok(
          out.includes(`ERR_CONFIG_PYTHON_ONLY`) && out.includes(`${where}: ${python}`),
          key,
        );
        refused++;
      } else if (unsupported !== undefined) {
        assert.ok(out.includes(`${where}: ${unsupported}`), key);
        refused++;
      } else {
        assert.ok(findOption(key), `${key} is a tsgi option`);
        if (isPlanned(key)) {
          assert.ok(plannedLine.includes(`${key} (uwsgi.ini:${line})`), `${key} listed as planned`);
          refused++;
        } else {
          // A key tsgi takes is not mentioned in any error.
          assert.ok(!out.includes(`'${key}' in`) && !plannedLine.includes(` ${key} (`), key);
        }
      }
    }
    assert.ok(refused >= 4, 'module, home, die-on-term and enable-threads at least');
    assert.doesNotMatch(out, /ERR_CONFIG_UNKNOWN_OPTION/);
    assert.equal(run.status, 2, 'a config error exits 2');
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
      'Unknown keys are errors',
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
