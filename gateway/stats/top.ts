/**
 * `tsgi top ADDR [SECONDS]`: a live view of a stats socket (uwsgitop's layout), redrawn every few
 * seconds until Ctrl-C. `renderTop` is pure, for tests.
 */
import { connectAndRead } from './connect-and-read.js';
import type { StatsDocument } from './document.js';

const pad = (v: string | number, n: number) => String(v).padStart(n);

export function renderTop(doc: StatsDocument, previous?: StatsDocument, seconds = 1): string {
  const total = doc.workers.reduce((a, w) => a + w.requests, 0);
  const prevTotal = previous?.workers.reduce((a, w) => a + w.requests, 0) ?? total;
  const rps = Math.max(0, (total - prevTotal) / seconds);
  const lines = [
    `tsgi ${doc.version} - master pid ${doc.pid} - ${new Date().toISOString()} - requests ${total} (${rps.toFixed(1)}/s) - listen queue ${doc.listen_queue} - load ${doc.load}`,
    `${pad('WID', 4)} ${pad('PID', 8)} ${pad('REQ', 9)} ${pad('EXC', 5)} ${pad('HRK', 4)} ${'STATUS'.padEnd(6)} ${pad('AVG', 8)} ${pad('RSS', 7)} ${pad('TX', 10)} ${pad('RESP', 4)}`,
  ];
  for (const w of doc.workers) {
    lines.push(
      `${pad(w.id, 4)} ${pad(w.pid, 8)} ${pad(w.requests, 9)} ${pad(w.exceptions, 5)} ${pad(w.harakiri_count, 4)} ${w.status.padEnd(6)} ${pad(`${(w.avg_rt / 1000).toFixed(1)}ms`, 8)} ${pad(`${Math.round(w.rss / 1048576)}M`, 7)} ${pad(w.tx, 10)} ${pad(w.respawn_count, 4)}`,
    );
  }
  return lines.join('\n');
}

export async function runTop(addr: string, seconds = 2): Promise<number> {
  let previous: StatsDocument | undefined;
  let stop = false;
  process.once('SIGINT', () => {
    stop = true;
  });
  while (!stop) {
    let doc: StatsDocument;
    try {
      doc = JSON.parse(await connectAndRead(addr)) as StatsDocument;
    } catch (error) {
      process.stderr.write(`tsgi top: ${(error as Error).message}\n`);
      return 1;
    }
    process.stdout.write(`\x1b[2J\x1b[H${renderTop(doc, previous, seconds)}\n`);
    previous = doc;
    await new Promise((r) => setTimeout(r, seconds * 1000));
  }
  return 0;
}
