import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CheaperInput,
  type CheaperState,
  decideBusyness,
  decideCheaper,
  decideSpare,
  initialCheaperState,
} from '../../../gateway/master/cheaper.js';

const base: CheaperInput = { active: 1, busy: [1], min: 1, max: 4, step: 1, overload: 2 };

function runCycles(
  decide: (s: CheaperState, i: CheaperInput) => { delta: number; state: CheaperState },
  input: CheaperInput,
  cycles: number,
): number[] {
  let state = initialCheaperState();
  const deltas: number[] = [];
  for (let i = 0; i < cycles; i++) {
    const d = decide(state, input);
    state = d.state;
    deltas.push(d.delta);
  }
  return deltas;
}

describe('gateway/master/cheaper: spare', () => {
  it('spawns after `overload` cycles with every worker busy', () => {
    assert.deepEqual(runCycles(decideSpare, base, 4), [0, 1, 0, 1]);
  });

  it('spawns `step` workers, never above max', () => {
    const input = { ...base, active: 3, busy: [1, 1, 1], step: 3 };
    assert.deepEqual(runCycles(decideSpare, input, 2), [0, 1]);
  });

  it('does nothing at max', () => {
    const input = { ...base, active: 4, busy: [1, 1, 1, 1] };
    assert.deepEqual(runCycles(decideSpare, input, 5), [0, 0, 0, 0, 0]);
  });

  it('cheaps one after `overload` cycles with more than one idle worker', () => {
    const input = { ...base, active: 3, busy: [0, 0, 1] };
    assert.deepEqual(runCycles(decideSpare, input, 4), [0, -1, 0, -1]);
  });

  it('keeps one idle spare, and never goes below min', () => {
    assert.deepEqual(runCycles(decideSpare, { ...base, active: 2, busy: [0, 1] }, 4), [0, 0, 0, 0]);
    assert.deepEqual(
      runCycles(decideSpare, { ...base, active: 2, busy: [0, 0], min: 2 }, 4),
      [0, 0, 0, 0],
    );
  });

  it('a busy cycle resets the idle count', () => {
    let state = initialCheaperState();
    const idle = { ...base, active: 3, busy: [0, 0, 0] };
    state = decideSpare(state, idle).state;
    state = decideSpare(state, { ...base, active: 3, busy: [1, 1, 1] }).state;
    assert.equal(decideSpare(state, idle).delta, 0);
  });
});

describe('gateway/master/cheaper: busyness', () => {
  it('spawns when the average busy share over the window is above 50 %', () => {
    const input = { ...base, active: 2, busy: [0.8, 0.6] };
    assert.deepEqual(runCycles(decideBusyness, input, 2), [0, 1]);
  });

  it('cheaps after the window is full and stays below 25 % for another window', () => {
    const input = { ...base, active: 3, busy: [0.1, 0, 0] };
    assert.deepEqual(runCycles(decideBusyness, input, 4), [0, 0, -1, 0]);
  });

  it('holds between the thresholds', () => {
    const input = { ...base, active: 2, busy: [0.4, 0.4] };
    assert.deepEqual(runCycles(decideBusyness, input, 6), [0, 0, 0, 0, 0, 0]);
  });

  it('penalty: a spawn soon after a cheap doubles the idle windows needed', () => {
    let state = initialCheaperState();
    const idle = { ...base, active: 3, busy: [0, 0, 0] };
    const busy = { ...base, active: 2, busy: [1, 1] };
    for (let i = 0; i < 3; i++) state = decideBusyness(state, idle).state;
    assert.equal(state.sinceCheap, 0);
    for (let i = 0; i < 2; i++) state = decideBusyness(state, busy).state;
    assert.equal(state.idleWindows, 2);
  });

  it('decideCheaper dispatches on the algorithm name', () => {
    const input = { ...base, active: 2, busy: [1, 1] };
    assert.equal(decideCheaper('spare', initialCheaperState(), input).state.overloadCycles, 1);
    assert.equal(decideCheaper('busyness', initialCheaperState(), input).state.window.length, 1);
  });
});
