/** --pidfile, and `tsgi --stop PIDFILE` / `--reload PIDFILE` (signal the pid it holds). */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type OwnedFile, ownedFile } from '../server/owned-files.js';
import { processError } from './errors.js';

/**
 * Writes the pid to a new file beside `path` (created exclusively, never through a symlink), then
 * renames it over `path`. The master may still be root here and the directory may be writable by
 * others: a symlink planted at `path` is replaced, its target never written.
 */
export function writePidfile(path: string, pid = process.pid): OwnedFile {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}`);
  let written = false;
  try {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const fd = openSync(temp, flags, 0o644);
    let file: OwnedFile;
    try {
      writeSync(fd, `${pid}\n`);
      file = ownedFile(path, fstatSync(fd));
    } finally {
      closeSync(fd);
    }
    written = true;
    renameSync(temp, path);
    return file;
  } catch (cause) {
    if (written) rmSync(temp, { force: true });
    throw processError(
      'ERR_MASTER_PIDFILE_WRITE',
      `${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
      cause,
    );
  }
}

/** A pidfile is one number and a newline; anything longer is another file. */
const MAX_PIDFILE_BYTES = 32;

const notAPidfile = (path: string, why: string) =>
  processError(
    'ERR_MASTER_PIDFILE',
    `${path} ${why}; give the file named by --pidfile (it holds the master's pid)`,
  );

/** Reads at most a few bytes: a wrong path (`--stop app.ts`) is named, never printed. */
export function readPidfile(path: string): number {
  let text: string;
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a FIFO given by mistake must not hang the command.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    const size = stat.size;
    if (!stat.isFile()) throw notAPidfile(path, 'is not a regular file');
    if (size > MAX_PIDFILE_BYTES) throw notAPidfile(path, `is ${size} bytes, not a pidfile`);
    const buffer = Buffer.alloc(MAX_PIDFILE_BYTES);
    text = buffer.subarray(0, readSync(fd, buffer, 0, MAX_PIDFILE_BYTES, 0)).toString('latin1');
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_MASTER_PIDFILE') throw cause;
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw processError('ERR_MASTER_PIDFILE', `${path}: cannot read it (${reason})`, cause);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const digits = text.trim();
  const pid = /^\d{1,10}$/.test(digits) ? Number(digits) : Number.NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0) throw notAPidfile(path, 'does not hold a pid');
  return pid;
}

/** The tsgi CLI as it appears in a command line: the `tsgi` bin or gateway/cli.{js,ts}. */
const TSGI_ARG = /(?:^|\/)(?:tsgi|gateway\/cli\.[cm]?[jt]s)$/;

/**
 * Why `pid` is not a tsgi master, or null when it is one or cannot be told (no /proc). A stale
 * pidfile's pid may since belong to any process (pid reuse after a crash or a reboot): signalling
 * it would stop or hang up a stranger.
 */
function notTsgi(pid: number): string | null {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return null; // Not Linux, or /proc hidden: the signal is the only check left.
  }
  const args = cmdline.split('\0').filter((a) => a !== '');
  if (args.some((a) => TSGI_ARG.test(a))) return null;
  const shown = args.join(' ').slice(0, 80) || '(no command line)';
  return `pid ${pid} (${shown}) is not a tsgi master: the pidfile is stale, remove it`;
}

/** Sends `signal` to the master named by the pidfile; throws a coded error if it is not running. */
export function signalPidfile(path: string, signal: NodeJS.Signals): number {
  const pid = readPidfile(path);
  const stranger = notTsgi(pid);
  if (stranger) throw processError('ERR_MASTER_PIDFILE', `${path}: ${stranger}`);
  try {
    process.kill(pid, signal);
  } catch (cause) {
    throw processError('ERR_MASTER_PIDFILE', `${path}: pid ${pid} is not running`, cause);
  }
  return pid;
}
