import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OPTION_LIST } from '../../../gateway/config/options.js';
import { renderHelp } from '../../../gateway/config/render-help.js';

describe('gateway/config/render-help', () => {
  const help = renderHelp();

  it('starts with the usage line', () => {
    assert.match(help, /^Usage: tsgi \[options\] APP\n/);
  });

  it('lists every command-line option with its short flag and the first line of its summary', () => {
    for (const { name, spec } of OPTION_LIST) {
      assert.ok(help.includes(`--${name}`) || help.includes(`--[no-]${name}`), `--${name} listed`);
      if (spec.short) assert.ok(help.includes(`-${spec.short}, --`), `-${spec.short} listed`);
      const firstWords = spec.summary.split(' ').slice(0, 3).join(' ');
      assert.ok(help.includes(firstWords), `${name} summary`);
    }
  });

  it('shows negatable booleans, optional values and planned options', () => {
    assert.match(help, /-M, --\[no-\]master/);
    assert.match(help, /-C, --chmod-socket\[=MODE\]/);
    assert.match(help, /-h, --help /);
    if (OPTION_LIST.some((e) => e.spec.status === 'planned'))
      assert.match(help, /planned:\s+rejected for now/);
  });

  it('keeps lines within 100 columns', () => {
    for (const line of help.split('\n')) assert.ok(line.length <= 100, line);
  });
});
