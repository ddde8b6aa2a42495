// npm's `node@MAJOR` package as a binary path, for running the suite (and the packed-tarball
// quick start) on other Node versions. scripts/setup.sh fetches them once; later calls use npm's cache.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The binary lands under ~/.npm/_npx, which is private to root (0700). Tests that drop privileges
 * (--uid nobody) respawn workers with process.execPath, so it is copied to a world-readable folder.
 * Returns null (with npx's stderr in `error`) when npm cannot provide it.
 */
export function nodeBinary(major, cwd = process.cwd()) {
  const found = spawnSync(
    'npx',
    ['-y', '-p', `node@${major}`, '--', 'node', '-p', 'process.execPath + " " + process.version'],
    { cwd, encoding: 'utf8' },
  );
  const [path, version] = (found.stdout ?? '').trim().split(' ');
  if (found.status !== 0 || !path || !version) {
    return { error: `could not get node@${major} through npx: ${found.stderr}` };
  }
  const dir = join(tmpdir(), `tsgi-node-${version}`);
  const target = join(dir, 'node');
  if (!existsSync(target)) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    copyFileSync(path, `${target}.part`);
    chmodSync(`${target}.part`, 0o755);
    renameSync(`${target}.part`, target);
  }
  chmodSync(dir, 0o755);
  return { path: target, version };
}
