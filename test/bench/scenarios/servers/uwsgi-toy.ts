/**
 * Ceiling probes, not products: a minimal uwsgi-protocol hello-world server in two styles, to show
 * what Node itself costs per nginx connection, apart from the gateway's own work.
 *   net:    node:net Server + Socket (the stream machinery every Node server pays for).
 *   handle: libuv handles straight from process.binding('tcp_wrap'/'pipe_wrap') (no Socket,
 *           no streams, no EventEmitter).
 *   handle+early: the same, reading the packet at accept with fs.readSync when it is there
 *           already, as uWSGI does (no epoll registration or read callback): the floor for a
 *           Node process on this path.
 *   net+timeout, net+async, net+both: node:net plus one thing the gateway does per connection
 *           (a socket timeout and no-delay; a response written after a few awaits, as an async
 *           app path does), to price each separately.
 * Usage: uwsgi-toy.ts MODE ADDR (host:port or unix path). GET only; the body is ignored.
 * Prints `listening` when ready.
 */
import { readSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';

const [mode, addr] = process.argv.slice(2) as [string, string];
const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!',
  'latin1',
);

/** True once `buf` holds a whole uwsgi header + vars block. */
function complete(buf: Buffer): boolean {
  return buf.length >= 4 && buf.length >= 4 + buf.readUInt16LE(1);
}

function listenArgs(): [string] | [number, string] {
  if (addr.startsWith('/')) return [addr];
  const colon = addr.lastIndexOf(':');
  return [Number(addr.slice(colon + 1)), addr.slice(0, colon) || '127.0.0.1'];
}

async function respondLater(socket: Socket): Promise<void> {
  // runApp → the app → writeResponse: a few promise hops before the bytes go out.
  for (let i = 0; i < 4; i++) await Promise.resolve();
  socket.write(RESPONSE);
  socket.destroy();
}

function viaNet(timeouts: boolean, async: boolean): void {
  const server = createServer((socket: Socket) => {
    let buf: Buffer | undefined;
    if (timeouts) {
      socket.setNoDelay(true);
      socket.setTimeout(30_000);
      socket.on('timeout', () => socket.destroy());
      socket.on('end', () => {});
      socket.on('close', () => {});
    }
    socket.on('data', (chunk: Buffer) => {
      buf = buf ? Buffer.concat([buf, chunk]) : chunk;
      if (!complete(buf)) return;
      if (async) {
        void respondLater(socket);
        return;
      }
      socket.write(RESPONSE);
      socket.destroy();
    });
    socket.on('error', () => {});
  });
  const [a, b] = listenArgs();
  if (b === undefined) server.listen({ path: a, backlog: 1024 }, () => console.log('listening'));
  else server.listen({ port: a, host: b, backlog: 1024 }, () => console.log('listening'));
}

interface StreamHandle {
  onread: (this: StreamHandle, ab: ArrayBuffer | undefined) => void;
  readStart(): number;
  writeBuffer(req: object, buf: Buffer): number;
  close(cb?: () => void): void;
  bind(a: string | number, b?: number): number;
  listen(backlog: number): number;
  onconnection: (err: number, client: StreamHandle) => void;
  readonly fd: number;
}
type Binding = Record<string, unknown>;

function viaHandle(early: boolean): void {
  const load = (name: string) =>
    (process as unknown as { binding(n: string): Binding }).binding(name);
  const sw = load('stream_wrap') as {
    WriteWrap: new () => Record<string, unknown>;
    streamBaseState: Int32Array;
    kReadBytesOrError: number;
    kArrayBufferOffset: number;
    kLastWriteWasAsync: number;
  };
  const unix = addr.startsWith('/');
  const wrap = load(unix ? 'pipe_wrap' : 'tcp_wrap') as {
    Pipe?: new (t: number) => StreamHandle;
    TCP?: new (t: number) => StreamHandle;
    constants: { SERVER: number };
  };
  const Ctor = (unix ? wrap.Pipe : wrap.TCP)!;
  const server = new Ctor(wrap.constants.SERVER);
  const [a, b] = listenArgs();
  const err = b === undefined ? server.bind(a as string) : server.bind(b, a as number);
  if (err !== 0 || server.listen(1024) !== 0) throw new Error(`cannot listen on ${addr}: ${err}`);
  const state = sw.streamBaseState;
  const respond = (client: StreamHandle) => {
    const req = new sw.WriteWrap();
    req.handle = client;
    req.oncomplete = () => client.close();
    req.async = false;
    client.writeBuffer(req, RESPONSE);
    if (state[sw.kLastWriteWasAsync] === 0) client.close();
  };
  const first = Buffer.allocUnsafe(65536);
  server.onconnection = (status, client) => {
    if (status !== 0) return;
    let buf: Buffer | undefined;
    if (early) {
      let n = -1;
      try {
        n = readSync(client.fd, first, 0, first.length, null);
      } catch {
        // EAGAIN: not there yet, read through libuv below.
      }
      if (n > 0 && complete(first.subarray(0, n))) {
        respond(client);
        return;
      }
      if (n > 0) buf = Buffer.from(first.subarray(0, n));
    }
    client.onread = function onread(ab) {
      const nread = state[sw.kReadBytesOrError]!;
      if (nread <= 0 || !ab) {
        if (nread < 0) client.close();
        return;
      }
      const chunk = Buffer.from(ab, state[sw.kArrayBufferOffset]!, nread);
      buf = buf ? Buffer.concat([buf, chunk]) : Buffer.from(chunk);
      if (complete(buf)) respond(client);
    };
    client.readStart();
  };
  console.log('listening');
}

if (mode === 'net') viaNet(false, false);
else if (mode === 'net+timeout') viaNet(true, false);
else if (mode === 'net+async') viaNet(false, true);
else if (mode === 'net+both') viaNet(true, true);
else if (mode === 'handle') viaHandle(false);
else if (mode === 'handle+early') viaHandle(true);
else {
  console.error('usage: uwsgi-toy.ts net|net+timeout|net+async|net+both|handle|handle+early ADDR');
  process.exit(2);
}
