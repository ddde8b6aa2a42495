/**
 * --logto FILE: the master appends its own lines and everything its workers print to one file.
 * reopen() (FIFO `l`, SIGUSR2) closes and reopens it by name, so logrotate can move it away.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { loggingError } from './errors.js';

/** Opens a log file for appending (--logto, --daemonize); a coded ERR_LOG_FILE names the path. */
export function openLog(path: string): number {
  try {
    return openSync(path, 'a', 0o640);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw loggingError('ERR_LOG_FILE', `${path}: ${reason}`, cause);
  }
}

export class LogFile {
  private fd: number;
  constructor(readonly path: string) {
    this.fd = openLog(path);
  }

  write(data: string | Uint8Array): void {
    try {
      if (typeof data === 'string') writeSync(this.fd, data);
      else writeSync(this.fd, data);
    } catch {
      // A full disk must not take the master down; the line is lost.
    }
  }

  /** Throws ERR_LOG_FILE when the path cannot be opened; the file already open stays in use. */
  reopen(): void {
    const next = openLog(this.path);
    const old = this.fd;
    this.fd = next;
    closeSync(old);
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Already closed.
    }
  }
}
