/**
 * gateway/master/checks.ts on real child processes: a worker whose heartbeats stopped past
 * harakiri, and one that never became ready, are each killed once and reported once, however
 * often the loop runs the checks before the exit arrives.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../../gateway/config/load.js';
import { createLogger, type Logger } from '../../../gateway/logging/logger.js';
import { checkDeadlines } from '../../../gateway/master/checks.js';
import { WorkerPool } from '../../../gateway/master/pool.js';
import { newHandle, type WorkerHandle } from '../../../gateway/master/worker-handle.js';

const config = loadConfig({
  argv: ['--harakiri', '1', '--socket', '/tmp/unused.sock', 'app.ts'],
  env: {},
  cwd: '/',
}).config;

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A pool holding one idle child process as its worker. */
function poolWithWorker(): { pool: WorkerPool; w: WorkerHandle; log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });
  const pool = new WorkerPool({ app: 'app.ts', handles: [], log, logFile: null, report: () => {} });
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  const w = newHandle(child, 1, 1, 1, 0);
  pool.workers.set(w.pid, w);
  return { pool, w, log, lines };
}

/** Runs the checks twice (the loop wakes often); the worker must die of one SIGKILL, reported once. */
async function checkTwiceKillsOnce(
  { pool, w, log, lines }: ReturnType<typeof poolWithWorker>,
  report: string,
): Promise<void> {
  const exited = once(w.child, 'exit');
  checkDeadlines(pool, config, log);
  checkDeadlines(pool, config, log);
  const [, signal] = await exited;
  assert.equal(signal, 'SIGKILL');
  assert.equal(lines.filter((l) => l.includes(report)).length, 1, lines.join('\n'));
}

describe('gateway/master/checks', () => {
  it('harakiri: a silent worker is reported and killed once; its exit is expected', async () => {
    const worker = poolWithWorker();
    const { w } = worker;
    w.state = 'ready';
    w.readyAt = Date.now();
    w.lastSeen = performance.now() - 5000;
    await checkTwiceKillsOnce(worker, 'ERR_HARAKIRI_BLOCKED');
    assert.equal(w.state, 'stopping');
    assert.equal(w.expectedExit, true);
    assert.equal(w.exitReason, 'harakiri: event loop blocked');
  });

  it('start-up timeout: killed once, and its exit still counts as a failure', async () => {
    const worker = poolWithWorker();
    const { w } = worker;
    w.spawnedAt = Date.now() - 61_000;
    await checkTwiceKillsOnce(worker, 'did not become ready');
    assert.equal(w.state, 'starting');
    assert.equal(w.expectedExit, false);
  });

  it('a worker the master already killed (evil RSS, shut-down) gets no harakiri report', () => {
    const { pool, w, log, lines } = poolWithWorker();
    w.state = 'ready';
    w.readyAt = Date.now();
    pool.terminate(w, 'evil-reload-on-rss');
    w.lastSeen = performance.now() - 5000;
    checkDeadlines(pool, config, log);
    assert.deepEqual(lines, []);
    assert.equal(w.exitReason, 'evil-reload-on-rss');
  });
});
