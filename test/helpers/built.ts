/**
 * The built package (dist/), for tests that must run tsgi as a user does: plain Node, no tsx
 * preloaded. `npm test` builds first; a narrowed run (test:unit) builds here when a source file
 * is newer than the build. A lock folder keeps two test files from building at once.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(ROOT, 'dist');

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (name.endsWith('.ts')) newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  try {
    const built = statSync(join(DIST, 'gateway/cli.js')).mtimeMs;
    return ['src', 'adapters', 'gateway'].every((d) => newestSource(join(ROOT, d)) <= built);
  } catch {
    return false;
  }
}

export async function ensureBuilt(): Promise<string> {
  const lock = join(ROOT, 'node_modules/.tsgi-build-lock');
  for (;;) {
    if (isFresh()) return DIST;
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is building; a lock left by a killed run is taken over after a minute.
      if (Date.now() - statSync(lock).mtimeMs > 60_000)
        rmSync(lock, { recursive: true, force: true });
      await sleep(500);
      continue;
    }
    try {
      if (!isFresh()) {
        execFileSync(
          process.execPath,
          [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
          {
            cwd: ROOT,
            stdio: 'inherit',
          },
        );
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/**
 * A project folder whose node_modules/.bin/tsgi is the built CLI, linked as npm links a dependency's
 * bin (npm also makes the target executable), so `npx tsgi` runs there as in a user's project.
 */
export async function projectWithBin(dir: string): Promise<void> {
  const dist = await ensureBuilt();
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "app", "version": "1.0.0" }\n');
  chmodSync(join(dist, 'gateway/cli.js'), 0o755);
  symlinkSync(join(dist, 'gateway/cli.js'), join(dir, 'node_modules/.bin/tsgi'));
}
