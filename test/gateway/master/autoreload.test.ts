/**
 * --autoreload N (development): the workers are reloaded when a source file under the app's own
 * directory changes; the new worker serves the new code.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { alive, type MasterProcess, ROOT, startMaster } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

describe('gateway/master: autoreload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-autoreload-'));
  let master: MasterProcess | undefined;
  after(async () => {
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reloads the workers when a file of the app changes', async () => {
    const app = join(dir, 'app.ts');
    copyFileSync(join(ROOT, 'test/gateway/master/fixtures/app.ts'), app);
    const sock = join(dir, 'app.sock');
    master = await startMaster(
      ['--master', '--autoreload', '1', '--socket', sock, '--disable-logging', app],
      {
        workers: 1,
      },
    );
    assert.match((await uwsgiGet(sock, '/')).text, /^ok \d+/);
    await new Promise((r) => setTimeout(r, 1100)); // a different mtime second
    writeFileSync(app, readFileSync(app, 'utf8').replace('return [`ok ', 'return [`new '));
    await master.waitForLine(/autoreload: .*app\.ts changed: rolling reload/, 10_000);
    await master.waitFor('the reloaded worker', () => master!.readyPids().length >= 2, 15_000);
    // A rolling reload lets the old worker finish what it accepted (and drain its accept queue)
    // after the new one is ready: ask once it is gone, so the answer can only come from the new code.
    const [old] = master.readyPids();
    await master.waitFor('the old worker to exit', () => !alive(old!), 15_000);
    assert.match((await uwsgiGet(sock, '/')).text, /^new \d+/);
  });
});
