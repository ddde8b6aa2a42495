/**
 * Servers started by the test helpers are stopped with their whole process group: nginx's master
 * and its workers, a leader and a child that outlived it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startNginx } from './nginx.js';
import { LEAK_ENV, signalGroup, spawnGroup, stopGroup } from './process-group.js';

/**
 * Under the leak switch this file is the fixture of test/scripts/leftovers.test.ts: stop() then
 * kills the leader only, and the end-of-run check, not these assertions, must catch what is left.
 */
const leaking = process.env[LEAK_ENV] === '1';

function groupEmpty(pgid: number): boolean {
  return leaking || !signalGroup(pgid, 0);
}

describe('test helpers: process groups', () => {
  it('nginx stop() leaves neither the master nor a worker holding a connection', async () => {
    const nginx = await startNginx({ upstreams: [], staticReturn: true });
    const res = await fetch(`http://127.0.0.1:${nginx.ports.static}/`);
    assert.equal(res.status, 200);
    await res.text();
    // A keep-alive connection stays open while nginx stops: the case that orphaned workers.
    const held = await fetch(`http://127.0.0.1:${nginx.ports.static}/`, {
      headers: { connection: 'keep-alive' },
    });
    await nginx.stop();
    await held.text();
    assert.ok(groupEmpty(nginx.pid));
  });

  it('a child that outlives its leader is stopped with the group', async () => {
    // The shell starts a sleeper in its own group and exits at once on SIGTERM.
    const child = spawnGroup('sh', ['-c', 'sleep 60 & trap "exit 0" TERM; wait'], {
      stdio: 'ignore',
    });
    const pgid = child.pid!;
    await new Promise((r) => setTimeout(r, 200));
    await stopGroup(child, { signal: 'SIGTERM', graceMs: 2000 });
    assert.ok(groupEmpty(pgid));
  });
});
