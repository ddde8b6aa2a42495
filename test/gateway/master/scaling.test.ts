/**
 * gateway/master/scaling.ts: the worker target the master loop reconciles with — its start from
 * cheaper-initial, the +/- commands within cheaper..processes, cheaper decisions, --idle, and a
 * reload that changes the size. (The loop's use of it runs under the reload and cheaper tests.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../gateway/config/load.js';
import { createLogger } from '../../../gateway/logging/logger.js';
import { WorkerTarget } from '../../../gateway/master/scaling.js';
import type { WorkerHandle } from '../../../gateway/master/worker-handle.js';
import { emptyCounters } from '../../../gateway/worker/ipc.js';

const configOf = (...argv: string[]) =>
  loadConfig({ argv: [...argv, '--socket', '/tmp/unused.sock', 'app.ts'], env: {}, cwd: '/' })
    .config;

function target(...argv: string[]): { target: WorkerTarget; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });
  return { target: new WorkerTarget(configOf(...argv), log), lines };
}

/** Worker records as the master keeps them, with the busy share of their last heartbeat. */
const workers = (...busy: number[]) =>
  busy.map((b) => ({ counters: { ...emptyCounters(), busy: b, requests: 0 } }) as WorkerHandle);

describe('gateway/master/scaling', () => {
  it('starts at processes, or at cheaper-initial within cheaper..processes', () => {
    assert.equal(target('--processes', '4').target.count, 4);
    assert.equal(
      target('--processes', '4', '--cheaper', '1', '--cheaper-initial', '2').target.count,
      2,
    );
    assert.equal(target('--processes', '4', '--cheaper', '3').target.count, 3);
  });

  it('+ and - move the target one step, never past processes or below cheaper', () => {
    const { target: t, lines } = target('--processes', '3', '--cheaper', '1');
    t.remove('fifo "-"');
    assert.equal(t.count, 1);
    for (let i = 0; i < 4; i++) t.add('fifo "+"');
    assert.equal(t.count, 3);
    assert.match(lines.at(-1)!, /fifo "\+": worker target now 3/);
  });

  it('spare: every worker busy for cheaper-overload cycles adds cheaper-step; idle ones go one by one', () => {
    const { target: t, lines } = target(
      '--processes',
      '5',
      '--cheaper',
      '1',
      '--cheaper-step',
      '2',
      '--cheaper-overload',
      '2',
    );
    assert.equal(t.count, 1);
    t.cheaper(1, workers(1));
    assert.equal(t.count, 1, 'one overloaded cycle is not enough');
    t.cheaper(1, workers(1));
    assert.equal(t.count, 3);
    assert.match(lines.at(-1)!, /cheaper \(spare\): workers 1 → 3/);
    t.cheaper(3, workers(0, 0, 0));
    t.cheaper(3, workers(0, 0, 0));
    assert.equal(t.count, 2);
  });

  it('--idle: no request for S seconds keeps one worker; the first request brings the rest back', () => {
    const { target: t } = target('--processes', '3', '--idle', '1');
    const busy = workers(0, 0, 0);
    t.idle(0, busy);
    t.idle(500, busy);
    assert.equal(t.count, 3);
    t.idle(1600, busy);
    assert.equal(t.count, 1);
    busy[0]!.counters.requests = 1;
    t.idle(1700, busy);
    assert.equal(t.count, 3);
  });

  it('a reload that changes the size starts again from the new initial count; others keep it', () => {
    const { target: t } = target('--processes', '3');
    t.remove('fifo');
    t.configure(configOf('--processes', '3', '--harakiri', '5'));
    assert.equal(t.count, 2);
    t.configure(configOf('--processes', '4'));
    assert.equal(t.count, 4);
  });
});
