/**
 * --master-fifo PATH: a named pipe that takes uWSGI's one-letter commands (`echo r > PATH`).
 * Opened read-write so it never sees end-of-file when a writer closes, and never blocks.
 *
 * Whoever can write to it can stop the server, so the master only uses a FIFO it can trust: one
 * it creates (mode 600), or one already there that this user owns and others cannot write (a
 * stale one from an earlier run). Anything else at the path (a FIFO another user planted in a
 * shared directory, a symlink, a regular file) is refused and left untouched. The checks run on
 * the path (lstat) and again on the opened descriptor (fstat, O_NOFOLLOW), so a swap in between
 * is caught too.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { Socket } from 'node:net';
import { type OwnedFile, ownedFile } from '../server/owned-files.js';
import { processError } from './errors.js';

export interface MasterFifo {
  readonly path: string;
  /** The FIFO as created or checked (for --vacuum). */
  readonly file: OwnedFile;
  close(): void;
}

/** Why `stats` (of what is at `path`) is not a FIFO the master may use, or null when it is. */
function untrusted(stats: Stats): string | null {
  if (!stats.isFIFO()) return 'it exists and is not a FIFO (remove it or choose another path)';
  const me = process.geteuid?.();
  if (me !== undefined && stats.uid !== me) {
    return `it is a FIFO owned by uid ${stats.uid}, not by this user (${me}): anyone who can write to it controls the server`;
  }
  if ((stats.mode & 0o002) !== 0) {
    return `it is a FIFO writable by others (mode ${(stats.mode & 0o777).toString(8)}): anyone who can write to it controls the server`;
  }
  return null;
}

function openTrustedFifo(path: string): { fd: number; file: OwnedFile } {
  let existing: Stats | null = null;
  try {
    existing = lstatSync(path);
  } catch {
    // Nothing there yet.
  }
  if (existing) {
    const why = untrusted(existing);
    if (why) throw processError('ERR_MASTER_FIFO', `${path}: ${why}`);
  } else {
    // mkfifo fails if something appeared at the path meanwhile: then nothing is overwritten.
    execFileSync('mkfifo', ['-m', '600', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  const opened = fstatSync(fd);
  const why =
    untrusted(opened) ??
    (existing && (existing.dev !== opened.dev || existing.ino !== opened.ino)
      ? 'it was replaced while being opened'
      : null);
  if (why) {
    closeSync(fd);
    throw processError('ERR_MASTER_FIFO', `${path}: ${why}`);
  }
  return { fd, file: ownedFile(path, opened) };
}

export function openMasterFifo(path: string, onLetter: (letter: string) => void): MasterFifo {
  let opened: { fd: number; file: OwnedFile };
  try {
    opened = openTrustedFifo(path);
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'ERR_MASTER_FIFO') throw cause;
    const reason =
      (cause as { stderr?: Buffer }).stderr?.toString().trim() || (cause as Error).message;
    throw processError('ERR_MASTER_FIFO', `${path}: ${reason}`, cause);
  }
  const stream = new Socket({ fd: opened.fd, readable: true, writable: false });
  stream.on('data', (chunk: Buffer) => {
    // Each letter once per read: a runaway writer (a file cat into the FIFO) queues at most one
    // action and one log line per distinct letter, not one per byte.
    const letters = new Set(chunk.toString('latin1'));
    for (const letter of letters) {
      if (letter !== '\n' && letter !== '\r' && letter !== ' ') onLetter(letter);
    }
  });
  stream.on('error', () => {});
  stream.unref();
  return {
    path,
    file: opened.file,
    close: () => stream.destroy(),
  };
}
