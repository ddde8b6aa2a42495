/**
 * Files the master created (unix sockets, the stats socket, the pidfile, FIFOs), known by device
 * and inode, so only that very file is ever removed: a path a newer instance or someone else has
 * reused since is left alone.
 *
 * After --uid the master often cannot remove them: they sit in a directory only root may write
 * (/run, /var/run). Before dropping root the master then starts a tiny remover that keeps root and
 * does only this: remove the listed files when asked, and the `atExit` ones once the master is
 * gone (its stdin reaches end-of-file however the master ends). It takes no path from anyone: the
 * list is fixed when it starts, and each file is checked by device and inode before unlink.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { lstatSync, type Stats, unlinkSync } from 'node:fs';

export interface OwnedFile {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
}

export function ownedFile(path: string, stats: Stats = lstatSync(path)): OwnedFile {
  return { path, dev: stats.dev, ino: stats.ino };
}

/** Runs as root in its own process: argv[1] = the JSON list, stdin = one index per line. */
const REMOVER = `
const fs = require('node:fs');
const files = JSON.parse(process.argv[1]);
const done = new Set();
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGPIPE']) process.on(s, () => {});
function remove(i) {
  if (done.has(i) || !files[i]) return;
  done.add(i);
  const f = files[i];
  try {
    const now = fs.lstatSync(f.path);
    if (now.dev === f.dev && now.ino === f.ino) fs.unlinkSync(f.path);
  } catch {}
}
let rest = '';
process.stdin.setEncoding('latin1');
process.stdin.on('data', (chunk) => {
  rest += chunk;
  for (let nl = rest.indexOf('\\n'); nl !== -1; nl = rest.indexOf('\\n')) {
    remove(Number(rest.slice(0, nl)));
    rest = rest.slice(nl + 1);
  }
});
const atExit = () => {
  files.forEach((f, i) => { if (f.atExit) remove(i); });
  process.exit(0);
};
process.stdin.on('end', atExit);
process.stdin.on('error', atExit);
`;

interface Remover {
  readonly child: ChildProcess;
  readonly index: Map<string, number>;
}

let remover: Remover | null = null;

const key = (f: OwnedFile) => `${f.dev}:${f.ino}:${f.path}`;

/**
 * Starts the remover (call as root, just before dropping privileges). `atExit` files are removed
 * once the master is gone; every listed file can be removed earlier through removeOwnedFile.
 */
export function startRemover(files: readonly OwnedFile[], atExit: ReadonlySet<OwnedFile>): void {
  if (files.length === 0 || remover) return;
  const list = files.map((f) => ({ path: f.path, dev: f.dev, ino: f.ino, atExit: atExit.has(f) }));
  // Its own process group: a Ctrl-C or a group signal meant for the master does not cut it short.
  const child = spawn(process.execPath, ['-e', REMOVER, JSON.stringify(list)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    cwd: '/',
  });
  child.on('error', () => {});
  child.stdin?.on('error', () => {});
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  remover = { child, index: new Map(files.map((f, i) => [key(f), i])) };
}

/** Ends the remover: it removes the `atExit` files and exits. */
export function releaseRemover(): void {
  remover?.child.stdin?.end();
  remover = null;
}

/**
 * Removes `file` if the path still names it. Returns true when removed (or handed to the remover
 * because this process may no longer unlink there), false when it is gone or is another file.
 * Throws other errors (and EACCES when no remover holds the file).
 */
export function removeOwnedFile(file: OwnedFile): boolean {
  try {
    const now = lstatSync(file.path);
    if (now.dev !== file.dev || now.ino !== file.ino) return false;
    unlinkSync(file.path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    const i = remover?.index.get(key(file));
    if ((code === 'EACCES' || code === 'EPERM') && remover && i !== undefined) {
      remover.child.stdin?.write(`${i}\n`);
      return true;
    }
    throw error;
  }
}
