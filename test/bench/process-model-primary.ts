/**
 * A bare uwsgi responder under three process models, for test/bench/process-model.ts:
 *   cluster-rr   node:cluster, round-robin (the primary accepts and passes each connection over IPC)
 *   cluster-none node:cluster, SCHED_NONE (every worker accepts on the shared socket)
 *   fork-handle  child_process.fork; the primary binds without listening and passes the handle
 * argv: MODE WORKERS SOCKET_PATH. Prints "ready" when every worker listens.
 */

import { fork } from 'node:child_process';
import cluster from 'node:cluster';
import { rmSync } from 'node:fs';
import net from 'node:net';

const [mode = 'fork-handle', n = '2', path = '/tmp/tsgi-pm.sock'] = process.argv.slice(2);
const workers = Number(n);
const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nHello World\n',
);

function handle(sock: net.Socket): void {
  let buf: Buffer = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
    if (buf.length >= 4 && buf.length >= 4 + buf.readUInt16LE(1)) {
      sock.end(RESPONSE);
    }
  });
  sock.on('error', () => {});
}

function serveWorker(): void {
  if (mode === 'fork-handle') {
    process.on('message', (_m, h) => {
      net.createServer(handle).listen(h as net.Server, () => process.send?.('listening'));
    });
  } else {
    net.createServer(handle).listen(path);
  }
}

const isWorker = mode === 'fork-handle' ? process.send !== undefined : !cluster.isPrimary;
if (isWorker) {
  serveWorker();
} else {
  rmSync(path, { force: true });
  let ready = 0;
  const onReady = () => {
    ready++;
    if (ready === workers) console.log('ready');
  };
  if (mode === 'fork-handle') {
    // biome-ignore lint/suspicious/noExplicitAny: internal API, see gateway/master/bind.ts
    const h = (net as any)._createServerHandle(path, -1, -1, undefined, 0);
    for (let i = 0; i < workers; i++) {
      const c = fork(process.argv[1] ?? '', process.argv.slice(2));
      c.on('message', onReady);
      c.send('handle', h);
    }
  } else {
    cluster.schedulingPolicy = mode === 'cluster-rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
    for (let i = 0; i < workers; i++) cluster.fork().on('listening', onReady);
  }
  process.on('SIGTERM', () => {
    rmSync(path, { force: true });
    process.exit(0);
  });
}
