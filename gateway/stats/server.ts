/**
 * --stats ADDR: each connection gets one JSON document, then the connection closes (what uwsgitop
 * and `tsgi --connect-and-read` expect). --stats-http: answer HTTP instead: JSON at any path,
 * Prometheus text at /metrics.
 */
import { chmodSync, lstatSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { parseAddress } from '../server/address.js';
import { clearStaleSocket } from '../server/listeners.js';
import { type OwnedFile, ownedFile, removeOwnedFile } from '../server/owned-files.js';
import type { StatsDocument } from './document.js';
import { statsError } from './errors.js';
import { renderPrometheus } from './prometheus.js';

export interface StatsSource {
  document(): StatsDocument;
  byStatus(): Record<string, number>;
}

export interface StatsServer {
  readonly address: string;
  /** The unix socket file this server created (for --vacuum), or null on TCP. */
  readonly file: OwnedFile | null;
  close(): Promise<void>;
}

/** A stats client gets this long to send its request and take the answer. */
const STATS_CLIENT_TIMEOUT_MS = 5000;

/**
 * Sends the answer and closes at once: the descriptor is released when the bytes are handed to
 * the kernel, not when the client closes its side (a client that never does would keep one of
 * the master's descriptors for good). What the client sent is read and dropped, so closing does
 * not turn into a reset that loses the answer.
 */
function answerAndClose(socket: Socket, text: string | Buffer): void {
  socket.resume();
  socket.end(text, () => socket.destroy());
}

function answerHttp(socket: Socket, source: StatsSource): void {
  let head = '';
  socket.on('data', (chunk: Buffer) => {
    head += chunk.toString('latin1');
    if (!head.includes('\r\n\r\n') && !head.includes('\n\n') && head.length < 8192) return;
    socket.removeAllListeners('data');
    const path = /^[A-Z]+ (\S+)/.exec(head)?.[1] ?? '/';
    const metrics = path === '/metrics' || path.startsWith('/metrics?');
    const doc = source.document();
    const body = Buffer.from(
      metrics ? renderPrometheus(doc, source.byStatus()) : JSON.stringify(doc),
    );
    const type = metrics ? 'text/plain; version=0.0.4; charset=utf-8' : 'application/json';
    socket.write(
      `HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    answerAndClose(socket, body);
  });
}

/**
 * Like --socket: a stale socket file is replaced, a live one or anything that is not a socket
 * (a regular file the operator mistyped) is refused and left untouched.
 */
async function clearStalePath(addr: string, path: string): Promise<void> {
  let isSocket = true;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    // Nothing there: clearStaleSocket still checks the directory.
  }
  if (!isSocket) throw statsError('ERR_STATS_BIND', `${addr}: it exists and is not a socket`);
  try {
    await clearStaleSocket(path);
  } catch (cause) {
    throw statsError('ERR_STATS_BIND', `${addr}: ${(cause as Error).message}`, cause);
  }
}

export async function startStatsServer(
  addr: string,
  source: StatsSource,
  options: { http: boolean },
): Promise<StatsServer> {
  const address = parseAddress(addr);
  // The document tells pids, uid, cwd and load to whoever connects: a bare `:port` means loopback
  // here (unlike --socket); only an explicit host such as 0.0.0.0 opens it to the network.
  if (address.type === 'tcp' && addr.trim().startsWith(':')) address.host = '127.0.0.1';
  const server: Server = createServer((socket) => {
    socket.on('error', () => {});
    socket.setTimeout(STATS_CLIENT_TIMEOUT_MS, () => socket.destroy());
    if (options.http) answerHttp(socket, source);
    else answerAndClose(socket, JSON.stringify(source.document()));
  });
  if (address.type === 'unix') await clearStalePath(addr, address.path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(statsError('ERR_STATS_BIND', addr, cause)));
    if (address.type === 'unix') server.listen(address.path, resolve);
    else server.listen(address.port, address.host, resolve);
  });
  let file: OwnedFile | null = null;
  if (address.type === 'unix') {
    chmodSync(address.path, 0o600);
    file = ownedFile(address.path);
  }
  const info = server.address();
  const shown =
    info && typeof info === 'object' ? `${info.address}:${info.port}` : String(info ?? addr);
  return {
    address: shown,
    file,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        try {
          if (file) removeOwnedFile(file);
        } catch {
          // After --uid the directory may not be writable: --vacuum and the next start handle it.
        }
      }),
  };
}
