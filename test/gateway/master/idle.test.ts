/** --idle S: after S seconds without requests the master keeps one worker; traffic brings the rest back. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type MasterProcess, startMaster, TEST_APP } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

describe('gateway/master: idle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-idle-'));
  let master: MasterProcess | undefined;
  after(async () => {
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops to one worker when idle and grows back on traffic', async () => {
    const sock = join(dir, 'app.sock');
    master = await startMaster(
      [
        '--master',
        '--processes',
        '2',
        '--idle',
        '1',
        '--socket',
        sock,
        '--disable-logging',
        TEST_APP,
      ],
      {
        workers: 2,
      },
    );
    await master.waitForLine(/idle for 1 s \(idle\), keeping 1 worker/, 15_000);
    await master.waitForLine(/ended \(cheaper, exit code 0\)/, 15_000);
    const before = master.readyPids().length;
    assert.equal((await uwsgiGet(sock, '/')).status, 200);
    await master.waitForLine(/traffic again, worker target back to 2/, 10_000);
    await master.waitFor(
      'a second worker again',
      () => master!.readyPids().length > before,
      20_000,
    );
  });
});
