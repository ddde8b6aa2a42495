/** Worker stdout/stderr into the log file, whole lines only so workers never interleave mid-line. */
import type { Readable } from 'node:stream';
import type { LogFile } from '../logging/log-file.js';

export function pipeLines(stream: Readable | null, logFile: LogFile): void {
  if (!stream) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const text = rest + chunk;
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      rest = text;
      return;
    }
    rest = text.slice(cut + 1);
    logFile.write(text.slice(0, cut + 1));
  });
  stream.on('end', () => {
    if (rest) logFile.write(`${rest}\n`);
  });
}
