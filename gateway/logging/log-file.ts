/**
 * --logto FILE: the master appends its own lines and everything its workers print to one file.
 * reopen() (FIFO `l`, SIGUSR2) closes and reopens it by name, so logrotate can move it away.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export class LogFile {
  private fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'a', 0o640);
  }

  write(data: string | Uint8Array): void {
    try {
      if (typeof data === 'string') writeSync(this.fd, data);
      else writeSync(this.fd, data);
    } catch {
      // A full disk must not take the master down; the line is lost.
    }
  }

  reopen(): void {
    const next = openSync(this.path, 'a', 0o640);
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
