import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expandMagicAndEnv,
  expandPlaceholders,
  magicVariables,
} from '../../../gateway/config/expand.js';

const file = {
  given: 'conf/uwsgi.ini',
  absolute: '/srv/app/conf/uwsgi.ini',
  section: null,
  cwd: '/srv/app',
};
const host = { cpus: 8, hostname: 'web1' };
const magic = magicVariables(file, host);
const both = (
  value: string,
  env: Record<string, string> = {},
  lookup: Record<string, string> = {},
) =>
  expandPlaceholders(expandMagicAndEnv(value, magic, env, 'x.ini:1'), (n) => lookup[n], 'x.ini:1');

describe('gateway/config/expand', () => {
  it('provides the magic variables of the file', () => {
    assert.deepEqual(
      {
        d: magic.d,
        p: magic.p,
        s: magic.s,
        n: magic.n,
        e: magic.e,
        c: magic.c,
        o: magic.o,
        x: magic.x,
      },
      {
        d: '/srv/app/conf/',
        p: '/srv/app/conf/uwsgi.ini',
        s: 'uwsgi.ini',
        n: 'uwsgi',
        e: 'ini',
        c: 'conf',
        o: 'conf/uwsgi.ini',
        x: '',
      },
    );
    assert.equal(magic.k, '8');
    assert.equal(magic.h, 'web1');
    assert.equal(magic.v, '/srv/app');
    assert.equal(magicVariables({ ...file, section: 'prod' }, host).x, 'prod');
  });

  it('substitutes %d %n %p %c %k %h, and %% as a literal percent', () => {
    assert.equal(both('%d%n.sock'), '/srv/app/conf/uwsgi.sock');
    assert.equal(both('%c-%h-%k'), 'conf-web1-8');
    assert.equal(both('100%%'), '100%');
    assert.equal(both('%p'), '/srv/app/conf/uwsgi.ini');
  });

  it('leaves unknown magic letters alone', () => {
    assert.equal(both('%z and %'), '%z and %');
  });

  it('substitutes $(ENV) and refuses an unset variable', () => {
    assert.equal(both('/run/$(APP)/s.sock', { APP: 'shop' }), '/run/shop/s.sock');
    assert.throws(() => both('$(MISSING)'), {
      code: 'ERR_CONFIG_UNDEFINED_ENV',
      message: /\$\(MISSING\) in x\.ini:1/,
    });
  });

  it('substitutes %(name) placeholders, recursively', () => {
    assert.equal(both('%(base)/x', {}, { base: '%(root)/app', root: '/srv' }), '/srv/app/x');
  });

  it('leaves an undefined %(name) as written (log-format variables survive)', () => {
    assert.equal(both('%(method) %(uri) %(status)'), '%(method) %(uri) %(status)');
  });

  it('refuses a placeholder loop', () => {
    assert.throws(() => both('%(a)', {}, { a: '%(b)', b: '%(a)' }), {
      code: 'ERR_CONFIG_PLACEHOLDER_LOOP',
      message: /a → b → a/,
    });
  });

  it('never rescans substituted text: %% before (x) and a % in $(ENV) stay literal', () => {
    assert.equal(both('%%(x)', {}, { x: 'NO' }), '%(x)');
    assert.equal(both('$(V)', { V: '%(x) 50%' }, { x: 'NO' }), '%(x) 50%');
  });
});
