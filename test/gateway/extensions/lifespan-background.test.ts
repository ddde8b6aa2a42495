/**
 * Start-up/shut-down hooks and tsgi.waitUntil in real gateway workers (tsgi --master): the state
 * start-up prepared reaches requests, a failing start-up keeps workers from becoming ready,
 * background work does not delay the response and finishes before a graceful stop ends (or is
 * cut at shutdown-timeout, logged), and the stats count it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { connectAndRead } from '../../../gateway/stats/connect-and-read.js';
import { httpCall } from '../../helpers/http-client.js';
import { alive, type MasterProcess, startMaster } from '../../helpers/master.js';
import { freePort } from '../../helpers/ports.js';
import { killGroupNow, spawnGroup, stopGroup } from '../../helpers/process-group.js';

const APP = 'test/gateway/extensions/fixtures/lifespan-app.ts';

describe('gateway: start-up/shut-down hooks and tsgi.waitUntil', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-ext-'));
  const masters: MasterProcess[] = [];
  after(async () => {
    for (const m of masters) await m.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(name: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
    const port = await freePort();
    const events = join(dir, `${name}.events`);
    const m = await startMaster(
      ['--master', '--processes', '2', '--http-socket', `127.0.0.1:${port}`, ...extra, APP],
      { workers: 2, env: { TSGI_TEST_EVENTS: events, ...env } },
    );
    masters.push(m);
    const lines = () => (existsSync(events) ? readFileSync(events, 'utf8').trim().split('\n') : []);
    return { m, port, lines };
  }

  it('start-up runs once per worker before it is ready; requests see its state', async () => {
    const { m, port, lines } = await start('state');
    const starts = lines().filter((l) => l.endsWith(' startup'));
    assert.deepEqual(
      starts.map((l) => Number(l.split(' ')[0])).sort(),
      m.readyPids().slice().sort(),
    );
    const reply = await httpCall(port, { path: '/state' });
    const body = JSON.parse(reply.body.toString()) as {
      state: { pool: string; startedBy: number };
      pid: number;
    };
    assert.equal(body.state.pool, 'connected');
    assert.equal(body.state.startedBy, body.pid);
    process.kill(m.pid, 'SIGTERM');
    assert.equal(await m.exited, 0);
    const shutdowns = lines().filter((l) => l.endsWith(' shutdown connected'));
    assert.equal(shutdowns.length, 2, lines().join('\n'));
  });

  it('waitUntil: the response does not wait; a graceful stop waits for the work; stats count it', async () => {
    const statsPort = await freePort();
    const { m, port, lines } = await start('later', ['--stats', `127.0.0.1:${statsPort}`]);
    const t0 = performance.now();
    const reply = await httpCall(port, { path: '/later?ms=2500&name=mail' });
    assert.equal(reply.status, 200);
    assert.ok(performance.now() - t0 < 1500, `the response took ${performance.now() - t0} ms`);
    // The heartbeat carries the count to the master (once a second).
    let background = 0;
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && background === 0) {
      const doc = JSON.parse(await connectAndRead(`127.0.0.1:${statsPort}`)) as {
        workers: Array<{ background: number }>;
      };
      background = doc.workers.reduce((a, w) => a + w.background, 0);
      if (background === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(background, 1);
    process.kill(m.pid, 'SIGTERM');
    assert.equal(await m.exited, 0);
    const all = lines();
    const done = all.findIndex((l) => l.endsWith(' done mail'));
    assert.ok(
      done >= 0,
      `background work did not finish:\n${all.join('\n')}\n${m.lines.join('\n')}`,
    );
    // Shut-down runs after the background work of the same worker.
    const pid = all[done]!.split(' ')[0];
    assert.ok(all.findIndex((l) => l === `${pid} shutdown connected`) > done);
    for (const p of m.readyPids()) assert.ok(!alive(p));
  });

  it('shutdown-timeout cuts background work that runs too long, and says so', async () => {
    const { m, port, lines } = await start('cut', ['--shutdown-timeout', '1']);
    await httpCall(port, { path: '/later?ms=30000&name=slow' });
    const t0 = Date.now();
    process.kill(m.pid, 'SIGTERM');
    assert.equal(await m.exited, 0);
    assert.ok(Date.now() - t0 < 10_000);
    assert.ok(!lines().some((l) => l.endsWith(' done slow')));
    assert.ok(
      m.lines.some((l) => /1 tsgi\.waitUntil task\(s\) cut: .*1 s \(shutdown-timeout\)/.test(l)),
      m.lines.join('\n'),
    );
  });

  it('a failed background task is logged, not an unhandled rejection', async () => {
    const { m, port } = await start('fail');
    await httpCall(port, { path: '/later?ms=10&name=bad&fail=1' });
    await m.waitForLine(/tsgi\.waitUntil task failed: Error: bad failed on purpose/);
    await httpCall(port, { path: '/state' }); // the worker is still serving
    process.kill(m.pid, 'SIGTERM');
    assert.equal(await m.exited, 0);
  });

  it('a failing start-up keeps the worker from becoming ready; the master reports an app-load failure', async () => {
    const port = await freePort();
    const child = spawnGroup(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'gateway/cli.ts',
        '--master',
        '--processes',
        '1',
        '--http-socket',
        `127.0.0.1:${port}`,
        APP,
      ],
      { env: { ...process.env, TSGI_TEST_STARTUP_FAIL: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c));
    child.stderr?.on('data', (c: Buffer) => (out += c));
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => killGroupNow(child), 20_000);
      child.once('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    await stopGroup(child); // a worker that outlived the master goes with the group
    assert.notEqual(code, 0, out);
    assert.match(out, /ERR_GATEWAY_APP_STARTUP: .*database unreachable/);
    assert.doesNotMatch(out, /ready/);
  });
});
