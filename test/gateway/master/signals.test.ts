/** The control table: one action per signal and FIFO letter, and docs/signals.md shows it verbatim. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  CONTROL_TABLE,
  FIFO_ACTIONS,
  renderControlTable,
  SIGNAL_ACTIONS,
} from '../../../gateway/master/signals.js';

describe('gateway/master/signals', () => {
  it('maps the signals the issue names', () => {
    assert.equal(SIGNAL_ACTIONS.get('SIGHUP'), 'reload');
    assert.equal(SIGNAL_ACTIONS.get('SIGTERM'), 'stop');
    assert.equal(SIGNAL_ACTIONS.get('SIGINT'), 'stop');
    assert.equal(SIGNAL_ACTIONS.get('SIGQUIT'), 'quit');
    assert.equal(SIGNAL_ACTIONS.get('SIGUSR1'), 'stats');
  });

  it("has at least uWSGI's FIFO letters r R w W c q Q s + -", () => {
    for (const letter of ['r', 'R', 'w', 'W', 'c', 'q', 'Q', 's', '+', '-']) {
      assert.ok(FIFO_ACTIONS.has(letter), letter);
    }
    assert.equal(FIFO_ACTIONS.get('q'), 'stop');
    assert.equal(FIFO_ACTIONS.get('Q'), 'quit');
  });

  it('no signal or letter appears twice', () => {
    const signals = CONTROL_TABLE.flatMap((e) => (e.signal ? [e.signal] : []));
    const letters = CONTROL_TABLE.flatMap((e) => e.fifo ?? []);
    assert.equal(new Set(signals).size, signals.length);
    assert.equal(new Set(letters).size, letters.length);
  });

  it('docs/signals.md contains the table exactly as the code renders it', () => {
    const page = readFileSync(new URL('../../../docs/signals.md', import.meta.url), 'utf8');
    assert.ok(
      page.includes(renderControlTable()),
      'docs/signals.md is stale: paste renderControlTable()',
    );
  });
});
