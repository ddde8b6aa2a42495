import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupOption } from '../../../gateway/config/lookup.js';
import type { Origin } from '../../../gateway/config/origin.js';

const INI: Origin = { kind: 'ini', path: 'uwsgi.ini', line: 7 };
const ENV: Origin = { kind: 'env', name: 'TSGI_HARAKRI' };
const JSON_: Origin = { kind: 'json', path: 'c.json', key: 'uwsgi.harakri' };

function errorOf(name: string, origin: Origin) {
  const r = lookupOption(name, origin);
  assert.ok('error' in r, `${name} is refused`);
  return r.error;
}

function warningOf(name: string, origin: Origin) {
  const r = lookupOption(name, origin);
  assert.ok('ignored' in r, `${name} is ignored with a warning`);
  return r.ignored;
}

describe('gateway/config/lookup', () => {
  it('finds canonical names and aliases', () => {
    const r = lookupOption('workers', INI);
    assert.ok('entry' in r && r.entry.key === 'processes');
  });

  it("suggests the nearest name in each source's own spelling", () => {
    const ini = errorOf('harakri', INI);
    assert.equal(ini.code, 'ERR_CONFIG_UNKNOWN_OPTION');
    assert.match(
      ini.message,
      /unknown option: 'harakri' in uwsgi\.ini:7 \(did you mean 'harakiri'\?\)/,
    );
    assert.match(
      errorOf('harakri', ENV).message,
      /'TSGI_HARAKRI' in env TSGI_HARAKRI \(did you mean 'TSGI_HARAKIRI'\?\)/,
    );
    assert.match(
      errorOf('harakri', JSON_).message,
      /in c\.json \(key "uwsgi\.harakri"\) \(did you mean 'harakiri'\?\)/,
    );
  });

  it('offers no suggestion when nothing is near', () => {
    const e = errorOf('frobnicate-everything', INI);
    assert.equal(e.code, 'ERR_CONFIG_UNKNOWN_OPTION');
    assert.doesNotMatch(e.message, /did you mean/);
  });

  it('ignores Python-only keys with a warning that says what to use instead', () => {
    const e = warningOf('module', INI);
    assert.equal(e.code, 'ERR_CONFIG_PYTHON_ONLY');
    assert.match(e.message, /'module' in uwsgi\.ini:7: use `app = path\/to\/app\.ts\[:export\]`/);
    for (const key of [
      'home',
      'virtualenv',
      'venv',
      'pythonpath',
      'wsgi-file',
      'wsgi',
      'callable',
      'plugins',
      'plugin',
      'enable-threads',
      'vhost',
    ]) {
      assert.equal(warningOf(key, INI).code, 'ERR_CONFIG_PYTHON_ONLY', key);
    }
  });

  it("reads py-autoreload as tsgi's autoreload, with a warning", () => {
    const r = lookupOption('py-autoreload', INI);
    assert.ok('entry' in r);
    assert.equal(r.entry.name, 'autoreload');
    assert.match(
      r.warning!.message,
      /'py-autoreload' in uwsgi\.ini:7: read as tsgi's `autoreload`/,
    );
  });

  it('ignores uWSGI keys whose job tsgi always does, with a warning', () => {
    const e = warningOf('die-on-term', INI);
    assert.equal(e.code, 'ERR_CONFIG_BUILT_IN');
    assert.match(e.message, /SIGTERM always shuts tsgi down gracefully/);
  });

  it('refuses uWSGI keys whose loss would change behaviour', () => {
    const e = errorOf('static-map', INI);
    assert.equal(e.code, 'ERR_CONFIG_NOT_SUPPORTED');
    assert.match(e.message, /nginx/);
  });

  it('refuses command-line-only options in files and env', () => {
    assert.equal(errorOf('print-config', INI).code, 'ERR_CONFIG_CLI_ONLY');
    assert.equal(errorOf('stop', { kind: 'env', name: 'TSGI_STOP' }).code, 'ERR_CONFIG_CLI_ONLY');
    assert.match(
      errorOf('ini', { kind: 'env', name: 'TSGI_INI' }).message,
      /command line or config files/,
    );
    assert.ok('entry' in lookupOption('ini', INI));
  });
});
