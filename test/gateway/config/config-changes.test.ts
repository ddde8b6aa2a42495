import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configChanges } from '../../../gateway/config/config-changes.js';
import { defaultConfig, type GatewayConfig } from '../../../gateway/config/options.js';

describe('gateway/config/config-changes', () => {
  const base = defaultConfig();

  it('finds nothing between equal configs, lists compared by items', () => {
    const a: GatewayConfig = { ...base, socket: ['/a'] };
    const b: GatewayConfig = { ...base, socket: ['/a'] };
    assert.deepEqual(configChanges(a, b), []);
  });

  it('says which changes SIGHUP applies and which need a restart', () => {
    const after: GatewayConfig = { ...base, socket: ['/b'], limitPost: 1024 };
    const changes = configChanges(base, after).map((c) => [c.name, c.reload, c.after]);
    assert.deepEqual(changes, [
      ['socket', 'restart', ['/b']],
      ['limit-post', 'hup', 1024],
    ]);
  });
});
