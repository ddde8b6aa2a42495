/**
 * Free loopback TCP ports for servers the tests start. Taken from below the kernel's ephemeral
 * range: a port from that range (what binding port 0 gives) can become the local port of any
 * outgoing connection in the moment before the server binds it (nginx opens one per uwsgi request,
 * load tests thousands a second), and the server then fails with EADDRINUSE.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The first port the kernel uses for outgoing connections (Linux), else its default. */
function ephemeralLow(): number {
  try {
    const text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const low = Number(text.trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}

const END = ephemeralLow();
const START = Math.max(1024, END - 16384);
/** Ports this process handed out: one not bound yet would pass the check again. */
const given = new Set<number>();

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port below the ephemeral range that nothing listens on now (checked by binding it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const port = START + Math.floor(Math.random() * (END - START));
    if (given.has(port) || !(await canBind(port, host))) continue;
    if (given.size >= 4096) given.clear();
    given.add(port);
    return port;
  }
  throw new Error(`no free port in ${START}..${END - 1} on ${host}`);
}

/** Resolves once something accepts TCP connections on host:port (or rejects after `timeoutMs`). */
export async function waitForPort(
  port: number,
  host = '127.0.0.1',
  timeoutMs = 10_000,
): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
