import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { masterOptions, needsMaster } from '../../../gateway/config/implies-master.js';
import { defaultConfig, type GatewayConfig, OPTION_LIST } from '../../../gateway/config/options.js';

/** A value that differs from the default, of the option's own type. */
function changed(value: unknown): unknown {
  if (Array.isArray(value)) return ['x'];
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value + 1;
  return 'x';
}

describe('gateway/config/implies-master', () => {
  it('the defaults run without a master', () => {
    assert.equal(needsMaster(defaultConfig()), false);
    assert.deepEqual(masterOptions(defaultConfig()), []);
  });

  it('the table marks the options whose work the master does (log-format and memory-report are applied in each worker, as in uWSGI)', () => {
    const marked = OPTION_LIST.filter((e) => e.spec.impliesMaster).map((e) => e.name);
    assert.deepEqual(marked.sort(), [
      'autoreload',
      'cheaper',
      'chown-socket',
      'evil-reload-on-rss',
      'gid',
      'harakiri',
      'idle',
      'log-req-encoder',
      'logto',
      'master',
      'master-fifo',
      'max-requests',
      'max-worker-lifetime',
      'pidfile',
      'post-buffering',
      'processes',
      'reload-on-as',
      'reload-on-rss',
      'stats',
      'touch-chain-reload',
      'touch-reload',
      'uid',
      'vacuum',
    ]);
  });

  it('each marked option, set away from its default, starts the master; the others do not', () => {
    for (const { key, name, spec } of OPTION_LIST) {
      const config = { ...defaultConfig(), [key]: changed(spec.default) } as GatewayConfig;
      assert.equal(needsMaster(config), spec.impliesMaster === true, name);
    }
  });

  it('processes = 1 (the default) keeps a single process; 2 starts the master', () => {
    const one = { ...defaultConfig(), processes: 1 };
    assert.equal(needsMaster(one), false);
    assert.deepEqual(masterOptions({ ...one, processes: 2 }), ['processes']);
  });
});
