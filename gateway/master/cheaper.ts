/**
 * The cheaper algorithms as pure functions: the master calls one every cycle (1 s) with the
 * worker counts and gets back how many workers to add (+n) or remove (-1), and the next state.
 *
 * spare (uWSGI's default): all active workers busy for `overload` cycles → spawn `step`; more than
 * one idle worker for `overload` cycles → cheap one.
 * busyness (uWSGI's plugin, simplified): the average busy share over the last `overload` cycles
 * above 50 % → spawn `step`; below 25 % for a whole window → cheap one; a cheap that is followed
 * by a spawn within two windows doubles the idle windows needed next time (the plugin's penalty).
 */

export interface CheaperInput {
  /** Workers serving or starting (not retiring). */
  active: number;
  /** Busy share of each active ready worker over the last cycle, 0..1. */
  busy: readonly number[];
  /** Minimum (--cheaper) and maximum (--processes). */
  min: number;
  max: number;
  step: number;
  /** Cycles of overload/idleness before acting (--cheaper-overload). */
  overload: number;
}

export interface CheaperState {
  overloadCycles: number;
  idleCycles: number;
  /** busyness: recent average busy shares (percent). */
  window: number[];
  /** busyness: idle windows needed before cheaping (grows with the penalty). */
  idleWindows: number;
  /** busyness: cycles since the last cheap (for the penalty). */
  sinceCheap: number;
}

export interface CheaperDecision {
  /** Workers to add (> 0), remove (< 0) or 0. */
  delta: number;
  state: CheaperState;
}

export type CheaperAlgo = 'spare' | 'busyness';

export const BUSY_THRESHOLD = 0.5;
export const BUSYNESS_MAX = 50;
export const BUSYNESS_MIN = 25;

export function initialCheaperState(): CheaperState {
  return { overloadCycles: 0, idleCycles: 0, window: [], idleWindows: 1, sinceCheap: 1e9 };
}

function spawnCount(input: CheaperInput): number {
  return Math.max(0, Math.min(input.step, input.max - input.active));
}

export function decideSpare(state: CheaperState, input: CheaperInput): CheaperDecision {
  const busy = input.busy.filter((b) => b >= BUSY_THRESHOLD).length;
  const idle = input.busy.length - busy;
  const next = { ...state };
  if (input.busy.length > 0 && idle === 0 && input.active < input.max) {
    next.idleCycles = 0;
    next.overloadCycles++;
    if (next.overloadCycles >= input.overload) {
      next.overloadCycles = 0;
      return { delta: spawnCount(input), state: next };
    }
    return { delta: 0, state: next };
  }
  next.overloadCycles = 0;
  if (idle > 1 && input.active > input.min) {
    next.idleCycles++;
    if (next.idleCycles >= input.overload) {
      next.idleCycles = 0;
      return { delta: -1, state: next };
    }
    return { delta: 0, state: next };
  }
  next.idleCycles = 0;
  return { delta: 0, state: next };
}

export function decideBusyness(state: CheaperState, input: CheaperInput): CheaperDecision {
  const n = input.busy.length;
  const percent = n === 0 ? 0 : (100 * input.busy.reduce((a, b) => a + b, 0)) / n;
  const window = [...state.window, percent].slice(-input.overload);
  const next: CheaperState = { ...state, window, sinceCheap: state.sinceCheap + 1 };
  if (window.length < input.overload) return { delta: 0, state: next };
  const avg = window.reduce((a, b) => a + b, 0) / window.length;
  if (avg > BUSYNESS_MAX && input.active < input.max) {
    // Needed again soon after a cheap: be slower to cheap next time.
    if (state.sinceCheap <= 2 * input.overload)
      next.idleWindows = Math.min(8, next.idleWindows * 2);
    next.window = [];
    next.idleCycles = 0;
    return { delta: spawnCount(input), state: next };
  }
  if (avg < BUSYNESS_MIN && input.active > input.min) {
    next.idleCycles++;
    if (next.idleCycles >= next.idleWindows * input.overload) {
      next.idleCycles = 0;
      next.window = [];
      next.sinceCheap = 0;
      return { delta: -1, state: next };
    }
    return { delta: 0, state: next };
  }
  next.idleCycles = 0;
  return { delta: 0, state: next };
}

export function decideCheaper(
  algo: CheaperAlgo,
  state: CheaperState,
  input: CheaperInput,
): CheaperDecision {
  return algo === 'busyness' ? decideBusyness(state, input) : decideSpare(state, input);
}
