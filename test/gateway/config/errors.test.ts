import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONFIG_ERRORS, ConfigErrors, configError } from '../../../gateway/config/errors.js';

describe('gateway/config/errors', () => {
  it('names every code ERR_CONFIG_* with a message and a fix', () => {
    for (const [code, spec] of Object.entries(CONFIG_ERRORS)) {
      assert.match(code, /^ERR_CONFIG_[A-Z_]+$/);
      assert.ok(spec.message.length > 0 && spec.fix.length > 0, code);
    }
  });

  it('uses every code somewhere in the loader (no dead entries)', () => {
    const dir = new URL('../../../gateway/config/', import.meta.url);
    const source = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'errors.ts')
      .map((f) => readFileSync(new URL(f, dir), 'utf8'))
      .join('\n');
    for (const code of Object.keys(CONFIG_ERRORS)) {
      if (code === 'ERR_CONFIG_INVALID') continue; // raised by ConfigErrors in errors.ts itself
      assert.ok(source.includes(`'${code}'`), `${code} is raised somewhere`);
    }
  });

  it('builds coded errors whose message starts with the code', () => {
    const e = configError('ERR_CONFIG_UNKNOWN_OPTION', "'x' in a.ini:1");
    assert.equal(e.code, 'ERR_CONFIG_UNKNOWN_OPTION');
    assert.equal(e.message, "ERR_CONFIG_UNKNOWN_OPTION: unknown option: 'x' in a.ini:1");
  });

  it('groups several errors, one per line', () => {
    const all = new ConfigErrors([
      configError('ERR_CONFIG_CONFLICT', 'a'),
      configError('ERR_CONFIG_CLI_ONLY', 'b'),
    ]);
    assert.equal(all.code, 'ERR_CONFIG_INVALID');
    assert.equal(all.errors.length, 2);
    assert.match(all.message, /\n {2}ERR_CONFIG_CONFLICT: .*\n {2}ERR_CONFIG_CLI_ONLY/);
  });
});
