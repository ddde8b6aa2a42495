/**
 * The cheaper subsystem with real processes behind nginx: starting with one worker, a bounded
 * load makes the master add workers (spare: all busy for cheaper-overload cycles), and when the
 * load stops it removes them again, down to --cheaper.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { load } from '../../helpers/load.js';
import { type MasterProcess, startMaster, TEST_APP } from '../../helpers/master.js';
import { type NginxFront, startNginxFront } from '../../helpers/nginx-front.js';

for (const algo of ['spare', 'busyness'] as const) {
  describe(`gateway/master: cheaper ${algo} grows under load and shrinks when idle`, () => {
    let dir: string;
    let master: MasterProcess;
    let nginx: NginxFront;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tsgi-cheaper-'));
      const sock = join(dir, 'app.sock');
      master = await startMaster(
        [
          '--master',
          '--processes',
          '3',
          '--cheaper',
          '1',
          '--cheaper-overload',
          '1',
          '--cheaper-algo',
          algo,
          '--socket',
          sock,
          '--disable-logging',
          TEST_APP,
        ],
        { workers: 1 },
      );
      nginx = await startNginxFront(sock);
    });

    after(async () => {
      await nginx?.stop();
      await master?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('adds workers while every worker is busy, then cheaps them when idle', async () => {
      assert.equal(master.readyPids().length, 1);
      const result = await load(`${nginx.url}/sleep?ms=50`, 30, 6);
      assert.equal(result.failed, 0, JSON.stringify(result));
      const grew = master.lines.filter((l) =>
        new RegExp(`cheaper \\(${algo}\\): workers \\d → \\d`).test(l),
      );
      assert.ok(
        grew.some((l) => /workers 1 → 2/.test(l)),
        `no growth logged:\n${master.lines.join('\n')}`,
      );
      // The added worker may still be loading on a busy machine: wait for it (bounded).
      await master.waitFor('a second ready worker', () => master.readyPids().length >= 2, 20_000);
      await master.waitForLine(/cheaper \([a-z]+\): workers 2 → 1/, 20_000);
      await master.waitForLine(/ended \(cheaper, exit code 0\)/, 10_000);
    });
  });
}
