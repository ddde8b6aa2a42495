import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uwsgiMigrationRows } from '../../../gateway/config/migration.js';

describe('gateway/config/migration', () => {
  const rows = uwsgiMigrationRows();
  const row = (uwsgi: string) => rows.find((r) => r.uwsgi === uwsgi);

  it('maps uWSGI options to tsgi options, aliases included', () => {
    assert.deepEqual(row('harakiri')?.tsgi, 'harakiri');
    assert.deepEqual(row('workers')?.tsgi, 'processes');
    assert.deepEqual(row('py-autoreload')?.tsgi, 'autoreload');
    assert.match(row('buffer-size')!.note, /65535/);
  });

  it('sends Python app keys to `app` and says so', () => {
    assert.equal(row('module')?.tsgi, 'app');
    assert.equal(row('module')?.kind, 'python-only');
    assert.equal(row('virtualenv')?.tsgi, null);
  });

  it('lists unsupported keys with advice, each uWSGI name once, sorted', () => {
    assert.equal(row('die-on-term')?.kind, 'built-in');
    assert.equal(row('static-map')?.kind, 'unsupported');
    const names = rows.map((r) => r.uwsgi);
    assert.equal(new Set(names).size, names.length);
    assert.deepEqual(
      names,
      [...names].sort((a, b) => a.localeCompare(b)),
    );
  });
});
