/** Process memory from /proc (Linux); zeros elsewhere, as uWSGI reports without memory polling. */
import { readFileSync } from 'node:fs';

const PAGE = 4096;

export interface Memory {
  rss: number;
  vsz: number;
}

export function readMemory(pid: number | 'self' = 'self'): Memory {
  try {
    const [size, resident] = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return { vsz: Number(size) * PAGE, rss: Number(resident) * PAGE };
  } catch {
    return { rss: 0, vsz: 0 };
  }
}

/** The 1-minute load average, as uWSGI's `load` field... which is actually the listen queue; kept 0. */
export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]) || 0;
  } catch {
    return 0;
  }
}
