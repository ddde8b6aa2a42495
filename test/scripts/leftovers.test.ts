/**
 * The end-of-run check (scripts/leftovers.ts): it finds the run's processes by marker and by
 * recorded group, ignores other runs', and makes `npm test` fail when a helper leaks on purpose.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { endRun, findLeftovers, newRun, RUN_MARKER_ENV } from '../../scripts/leftovers.js';
import { ROOT } from '../helpers/gateway.js';
import { LEAK_ENV, signalGroup, startTime } from '../helpers/process-group.js';

function sleeper(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn('sleep', ['60'], {
    env: { ...process.env, ...env },
    detached: true,
    stdio: 'ignore',
  });
}

async function gone(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((r) => child.once('exit', r));
}

describe('scripts/leftovers: the end-of-run process check', () => {
  it('finds a process by the run marker and ignores one of another run', async () => {
    const ours = newRun();
    const theirs = newRun();
    const a = sleeper(ours.env);
    const b = sleeper(theirs.env);
    try {
      await new Promise((r) => setTimeout(r, 100));
      const found = findLeftovers(ours).map((p) => p.pid);
      assert.deepEqual(found, [a.pid]);
      const lines: string[] = [];
      const left = endRun(ours, (l) => lines.push(l));
      assert.equal(left.length, 1);
      assert.match(lines.join('\n'), new RegExp(`pid ${a.pid} .*by marker.*sleep 60`));
      await gone(a); // endRun stops what it lists
    } finally {
      b.kill('SIGKILL');
      a.kill('SIGKILL');
      endRun(theirs, () => {});
    }
  });

  it('finds a process by its recorded group when its environment has no marker', async () => {
    const run = newRun();
    const c = sleeper({ [RUN_MARKER_ENV]: '' });
    try {
      appendFileSync(`${run.dir}/groups`, `${c.pid} ${startTime(c.pid!)}\n`);
      const found = findLeftovers(run);
      assert.deepEqual(
        found.map((p) => [p.pid, p.by]),
        [[c.pid, 'group']],
      );
    } finally {
      c.kill('SIGKILL');
      await gone(c);
      assert.deepEqual(
        endRun(run, () => {}),
        [],
      );
    }
  });

  it('npm test fails and names the orphaned nginx worker when a helper leaks on purpose', async () => {
    // Without NODE_TEST_CONTEXT the nested runner runs its files instead of reporting to ours.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const res = spawnSync(
      process.execPath,
      ['scripts/test.mjs', 'test/helpers/process-group.test.ts'],
      {
        cwd: ROOT,
        env: { ...env, [LEAK_ENV]: '1' },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    const out = `${res.stdout}\n${res.stderr}`;
    assert.equal(res.status, 1, out);
    // The file's own tests pass: only the end-of-run check fails the run.
    assert.match(out, /^[1-9]\d* process\(es\) left running$/m, out);
    assert.match(out, /^\d+ passed, 0 failed$/m, out);
    const listed = /processes this run started and left running[^\n]*\n((?: {2}pid .*\n?)+)/.exec(
      out,
    );
    assert.ok(listed, out);
    assert.match(listed[1]!, /nginx: worker process/);
    // The check stopped what it listed (init reaps the killed orphans within moments).
    const groups = [...listed[1]!.matchAll(/group (\d+)/g)].map((m) => Number(m[1]));
    for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
      if (!groups.some((g) => signalGroup(g, 0))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(
      groups.filter((g) => signalGroup(g, 0)),
      [],
    );
  });
});
