/**
 * The Workers hello world (test/bench/cold-start/tsgi-worker.ts) is no bigger than the same hello
 * world written for Hono (hono-worker.ts), both bundled as `wrangler deploy --dry-run --minify`
 * bundles them, gzipped (zlib's default level, as the cold-start bench measures). The inputs are
 * the repository's sources and the locked Hono and wrangler versions, so the sizes are exact.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type TempDir, tempDir, wranglerBundle } from '../../helpers/workerd.js';

let dir: TempDir | undefined;
after(() => dir?.remove());

async function minGzip(entry: string, name: string): Promise<number> {
  const file = await wranglerBundle(entry, join(dir!.dir, name), ['--minify']);
  return gzipSync(readFileSync(file)).length;
}

test('the minified, gzipped hello Worker is no bigger than Hono’s hello world', async (t) => {
  dir = tempDir('tsgi-bundle-size-');
  const hono = await minGzip('test/bench/cold-start/hono-worker.ts', 'hono');
  const tsgi = await minGzip('test/bench/cold-start/tsgi-worker.ts', 'tsgi');
  t.diagnostic(`tsgi hello ${tsgi} B min+gz, Hono hello ${hono} B (${hono - tsgi} B to spare)`);
  assert.ok(tsgi <= hono, `tsgi hello ${tsgi} B min+gz, Hono hello ${hono} B`);
});
