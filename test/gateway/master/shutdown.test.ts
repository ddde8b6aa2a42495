/**
 * Shutdown semantics (unlike uWSGI 2.0, SIGTERM stops instead of reloading): SIGTERM and SIGINT
 * finish in-flight requests and exit 0; --worker-reload-mercy bounds how long they may take;
 * SIGQUIT stops at once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { alive, type MasterProcess, startMaster, TEST_APP } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

describe('gateway/master: shutdown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-shutdown-'));
  const masters: MasterProcess[] = [];
  after(async () => {
    for (const m of masters) await m.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(name: string, extra: string[] = []) {
    const sock = join(dir, `${name}.sock`);
    const m = await startMaster(
      ['--master', '--processes', '2', '--socket', sock, ...extra, TEST_APP],
      { workers: 2 },
    );
    masters.push(m);
    return { m, sock };
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: in-flight requests finish, new ones are not accepted, exit 0`, async () => {
      const { m, sock } = await start(signal.toLowerCase());
      const inflight = uwsgiGet(sock, '/sleep?ms=1500');
      await new Promise((r) => setTimeout(r, 300));
      process.kill(m.pid, signal);
      const reply = await inflight;
      assert.equal(reply.status, 200);
      assert.equal(await m.exited, 0);
      for (const pid of m.readyPids()) assert.ok(!alive(pid));
      assert.ok(m.lines.some((l) => l.includes(`${signal}: graceful shutdown`)));
    });
  }

  it('--worker-reload-mercy bounds a graceful stop: a request that takes longer is cut', async () => {
    const { m, sock } = await start('mercy', ['--worker-reload-mercy', '1']);
    const inflight = uwsgiGet(sock, '/sleep?ms=20000', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    process.kill(m.pid, 'SIGTERM');
    assert.equal(await m.exited, 0);
    const took = Date.now() - t0;
    const reply = await inflight;
    assert.notEqual(reply.status, 200);
    assert.ok(took < 10_000, `stop took ${took} ms`);
    await m.waitForLine(/still busy after 1 s \(worker-reload-mercy\): SIGKILL/);
  });

  it('workers do not outlive a master killed with SIGKILL', async () => {
    const { m } = await start('orphan');
    const workers = m.readyPids();
    process.kill(m.pid, 'SIGKILL');
    await m.exited;
    const deadline = Date.now() + 15_000;
    while (workers.some(alive) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(workers.filter(alive), []);
  });

  it('SIGQUIT: immediate shutdown', async () => {
    const { m, sock } = await start('quit');
    const inflight = uwsgiGet(sock, '/sleep?ms=20000', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(m.pid, 'SIGQUIT');
    assert.equal(await m.exited, 0);
    const reply = await inflight;
    assert.notEqual(reply.status, 200);
    assert.ok(reply.ms < 10_000);
    assert.ok(m.lines.some((l) => l.includes('SIGQUIT: immediate shutdown')));
  });
});
