/**
 * Listen queue depth of TCP listeners from /proc/net/tcp{,6}: for a LISTEN socket the kernel
 * reports the accept queue length as rx_queue and the backlog as tx_queue. Unix sockets do not
 * expose it (uWSGI needs a patched kernel for that); they report 0.
 */
import { readFileSync } from 'node:fs';

export interface QueueInfo {
  queue: number;
  maxQueue: number;
}

const LISTEN = '0A';

export function tcpListenQueues(): Map<number, QueueInfo> {
  const out = new Map<number, QueueInfo>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 5 || f[3] !== LISTEN) continue;
      const port = Number.parseInt(f[1]?.split(':')[1] ?? '', 16);
      const [tx, rx] = (f[4] ?? '0:0').split(':').map((h) => Number.parseInt(h, 16));
      const prev = out.get(port);
      out.set(port, {
        queue: (prev?.queue ?? 0) + (rx ?? 0),
        maxQueue: Math.max(prev?.maxQueue ?? 0, tx ?? 0),
      });
    }
  }
  return out;
}
