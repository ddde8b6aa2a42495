/**
 * The package as npm publishes it: `npm pack` of a fresh build, and installs of that tarball in
 * temp folders, offline-ish (npm's cache first, `--prefer-offline`), as a user's project would get it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from './built.js';

export interface PackedFile {
  path: string;
}

/** The files `npm pack` would ship (paths relative to the package root). */
export function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [pack] = JSON.parse(out) as Array<{ files: PackedFile[] }>;
  return pack!.files.map((f) => f.path);
}

/** Builds if needed, packs into a new temp folder, returns the tarball's path. */
export async function packTarball(): Promise<string> {
  await ensureBuilt();
  const dest = mkdtempSync(join(tmpdir(), 'tsgi-pack-'));
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dest], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const [name] = readdirSync(dest).filter((f) => f.endsWith('.tgz'));
  return join(dest, name!);
}

/** `npm <args>` in `cwd`, from npm's cache when it can; throws with npm's output on failure. */
export function npm(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(
    'npm',
    [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}
