/**
 * --master-fifo PATH: a named pipe that takes uWSGI's one-letter commands (`echo r > PATH`).
 * Opened read-write so it never sees end-of-file when a writer closes, and never blocks.
 */
import { execFileSync } from 'node:child_process';
import { constants, lstatSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { processError } from './errors.js';

export interface MasterFifo {
  readonly path: string;
  close(): void;
}

export function openMasterFifo(path: string, onLetter: (letter: string) => void): MasterFifo {
  try {
    let exists = false;
    try {
      exists = lstatSync(path).isFIFO();
      if (!exists) rmSync(path, { force: true });
    } catch {
      // No file yet.
    }
    if (!exists) execFileSync('mkfifo', ['-m', '600', path]);
  } catch (cause) {
    throw processError('ERR_MASTER_FIFO', path, cause);
  }
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  const stream = new Socket({ fd, readable: true, writable: false });
  stream.on('data', (chunk: Buffer) => {
    for (const letter of chunk.toString('latin1')) {
      if (letter !== '\n' && letter !== '\r' && letter !== ' ') onLetter(letter);
    }
  });
  stream.on('error', () => {});
  stream.unref();
  return {
    path,
    close: () => stream.destroy(),
  };
}
