/**
 * File watching by polling mtimes (what uWSGI's touch-reload does each master cycle):
 * --touch-reload / --touch-chain-reload files, and --autoreload N over the app's own directory.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Reports files whose mtime changed since the last call. */
export class TouchFiles {
  private readonly seen = new Map<string, number>();
  constructor(readonly files: readonly string[]) {
    for (const f of files) this.seen.set(f, mtime(f));
  }

  changed(): string[] {
    const out: string[] = [];
    for (const f of this.files) {
      const m = mtime(f);
      if (m !== this.seen.get(f)) {
        this.seen.set(f, m);
        if (m !== 0) out.push(f);
      }
    }
    return out;
  }
}

const SOURCE_EXT = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '.tsx', '.jsx']);
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage']);
const MAX_FILES = 5000;

/** The newest mtime among the source files under `dir` (skipping node_modules and dot-dirs). */
export function newestSourceMtime(dir: string): { newest: number; file: string } {
  let newest = 0;
  let file = '';
  let count = 0;
  const walk = (d: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (count >= MAX_FILES) return;
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
      } else if (SOURCE_EXT.has(extname(e.name))) {
        count++;
        const m = mtime(p);
        if (m > newest) {
          newest = m;
          file = p;
        }
      }
    }
  };
  walk(dir);
  return { newest, file };
}

/** --autoreload: reports the changed file when something under the app's directory changed. */
export class AppFilesWatch {
  private last: number;
  private nextScan = 0;
  constructor(
    readonly dir: string,
    readonly intervalMs: number,
  ) {
    this.last = newestSourceMtime(dir).newest;
  }

  poll(now: number): string | null {
    if (now < this.nextScan) return null;
    this.nextScan = now + this.intervalMs;
    const { newest, file } = newestSourceMtime(this.dir);
    if (newest > this.last) {
      this.last = newest;
      return file;
    }
    return null;
  }
}
