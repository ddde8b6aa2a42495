/**
 * The top-level wrangler.toml through the wrangler CLI, offline on loopback: `wrangler dev` serves
 * examples/cloudflare-worker.ts, and `wrangler deploy --dry-run` bundles it into a file that runs
 * in workerd. Every wrangler process is stopped by its PID in `after`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  runWrangler,
  startWorker,
  startWranglerDev,
  type TempDir,
  tempDir,
  type WranglerDev,
} from '../../helpers/workerd.js';

for (const flags of [[], ['nodejs_compat']]) {
  const label = flags.length ? flags.join(', ') : 'wrangler.toml as is';
  describe(`wrangler dev (${label})`, () => {
    let dev: WranglerDev | undefined;
    before(async () => {
      dev = await startWranglerDev(flags.length ? ['--compatibility-flags', ...flags] : []);
    });
    after(async () => {
      await dev?.stop();
    });

    test('serves the example app through toWorker', async () => {
      const res = await fetch(`${dev!.url}/`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'Hello, World!');
    });

    test('the environ carries the Workers keys and the loopback address', async () => {
      const res = await fetch(`${dev!.url}/environ?x=1`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      const environ = (await res.json()) as Record<string, unknown>;
      assert.equal(environ['cloudflare.env'], '[object]');
      assert.equal(environ['cloudflare.ctx'], '[object]');
      assert.equal(environ.REQUEST_METHOD, 'GET');
      assert.equal(environ.PATH_INFO, '/environ');
      assert.equal(environ.QUERY_STRING, 'x=1');
      assert.equal(environ.SERVER_NAME, '127.0.0.1');
      assert.equal(environ.SERVER_PORT, new URL(dev!.url).port);
    });

    test('an unknown path is the app’s 404', async () => {
      const res = await fetch(`${dev!.url}/nope`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 404);
      assert.equal(await res.text(), 'Not Found\n');
    });
  });
}

describe('wrangler deploy --dry-run', () => {
  let out: TempDir | undefined;
  let bundle = '';
  before(async () => {
    out = tempDir('tsgi-wrangler-dry-');
    const { code, output } = await runWrangler(
      ['deploy', '--dry-run', '--outdir', out.dir],
      120_000,
    );
    assert.equal(code, 0, output);
    assert.match(output, /--dry-run: exiting now/);
    bundle = join(out.dir, 'cloudflare-worker.js');
  });
  after(() => out?.remove());

  test('writes one bundled module', () => {
    assert.ok(existsSync(bundle), `${bundle} is missing`);
  });

  for (const flags of [[], ['nodejs_compat']]) {
    test(`the bundle runs in workerd (${flags.length ? flags.join(', ') : 'no flags'})`, async () => {
      const worker = await startWorker(bundle, { compatibilityFlags: flags });
      try {
        const res = await worker.mf.dispatchFetch(`${worker.url}/`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'Hello, World!');
      } finally {
        await worker.dispose();
      }
    });
  }
});
