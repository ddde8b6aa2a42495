/**
 * A restart of the master under load through a socket systemd holds: nginx → unix socket →
 * `tsgi --master`, the socket passed by `systemd-socket-activate` (standing in for PID 1) to a
 * shell loop that starts the master again when it exits, the way `Restart=always` does. While the
 * old master drains and the new one boots, connections wait in the kernel's listen queue: no
 * request fails.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { load } from '../../helpers/load.js';
import { alive, ROOT, TEST_APP } from '../../helpers/master.js';
import { type NginxFront, startNginxFront } from '../../helpers/nginx-front.js';
import { spawnGroup, stopGroup } from '../../helpers/process-group.js';

/** Starts the master again each time it exits, with LISTEN_PID set to the new process (as systemd does). */
const LOOP = `while [ ! -e "$STOP_FILE" ]; do
  sh -c 'LISTEN_PID=$$ exec "$@"' sh "$NODE" --conditions=source --import tsx gateway/cli.ts \\
    --master --processes 2 --disable-logging "$APP" || sleep 1
done`;

const READY = /ready \(pid (\d+)\), serving .* with 2 worker/g;

describe('gateway/master: restart through an activated socket', () => {
  let dir: string;
  let holder: ChildProcess;
  let nginx: NginxFront;
  let out = '';
  const masters = () => [...out.matchAll(READY)].map((m) => Number(m[1]));
  const waitFor = async (what: string, ok: () => boolean, timeoutMs = 40_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-activated-restart-'));
    const sock = join(dir, 'app.sock');
    // systemd-socket-activate passes only the variables named with -E (as a unit's Environment=).
    const env = { PATH: process.env.PATH, STOP_FILE: join(dir, 'stop'), NODE: process.execPath };
    const pass = Object.entries({ ...env, APP: TEST_APP }).flatMap(([k, v]) => ['-E', `${k}=${v}`]);
    holder = spawnGroup('systemd-socket-activate', ['-l', sock, ...pass, 'sh', '-c', LOOP], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    holder.stdout?.on('data', (c) => {
      out += c;
    });
    holder.stderr?.on('data', (c) => {
      out += c;
    });
    await waitFor('the socket', () => out.includes('Listening on'));
    nginx = await startNginxFront(sock);
    // The first connection makes systemd-socket-activate start the loop.
    const first = await fetch(`${nginx.url}/`, { signal: AbortSignal.timeout(40_000) });
    assert.equal(first.status, 200, out);
    await first.text();
    await waitFor('the first master', () => masters().length === 1);
  });

  after(async () => {
    writeFileSync(join(dir, 'stop'), '');
    for (const pid of masters()) if (alive(pid)) process.kill(pid, 'SIGTERM');
    await nginx?.stop();
    await stopGroup(holder, { signal: 'SIGTERM', graceMs: 15_000 });
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM to the master under load: a new master takes over, zero failed requests', async () => {
    const [first] = masters();
    const running = load(`${nginx.url}/`, 20, 12, { timeoutS: 30 });
    await new Promise((r) => setTimeout(r, 2000));
    const stoppedAt = Date.now();
    process.kill(first!, 'SIGTERM');
    await waitFor('the second master', () => masters().length === 2);
    const gapMs = Date.now() - stoppedAt;
    const result = await running;
    console.log(
      `restart through the activated socket: new master ready ${gapMs} ms after SIGTERM; ${result.total} requests, ${result.failed} failed, p99 ${result.p99Ms} ms`,
    );
    assert.notEqual(masters()[1], first);
    assert.ok(result.total > 100, `too few requests: ${result.total}`);
    assert.equal(
      result.failed,
      0,
      `failed requests: ${JSON.stringify({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx })}\n${nginx.errorLog()}`,
    );
    assert.doesNotMatch(nginx.errorLog(), /upstream/);
  });
});
