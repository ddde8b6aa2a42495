/**
 * WebSocket clients for tests: the `ws` package (what Node apps and browsers-grade tools use; Node
 * 20 has no global WebSocket) with its messages queued for `next()`, and a raw client that sends
 * any bytes after a handshake, for hostile cases `ws` refuses to produce.
 */
import { createRequire } from 'node:module';
import { connect as netConnect, type Socket } from 'node:net';

interface WsLike {
  readonly protocol: string;
  on(event: 'open', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): void;
  on(event: 'ping', listener: (data: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(
    event: 'unexpected-response',
    listener: (req: unknown, res: { statusCode: number }) => void,
  ): void;
  send(data: string | Uint8Array, options?: { binary?: boolean }): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}
const WebSocket = createRequire(import.meta.url)('ws') as new (
  url: string,
  protocols?: string[],
) => WsLike;

export interface Message {
  data: string | Buffer;
  binary: boolean;
}

export interface WsClient {
  ws: WsLike;
  /** The next message (waits up to `timeoutMs`). */
  next(timeoutMs?: number): Promise<Message>;
  pings: number;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a WebSocket; rejects with `status N` when the server answers without upgrading. */
export function wsConnect(url: string, protocols: string[] = []): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    const queue: Message[] = [];
    let waiting: ((m: Message) => void) | undefined;
    let resolveClosed!: (c: { code: number; reason: string }) => void;
    const client: WsClient = {
      ws,
      pings: 0,
      closed: new Promise((r) => (resolveClosed = r)),
      next: (timeoutMs = 5000) =>
        new Promise((res, rej) => {
          const m = queue.shift();
          if (m) return res(m);
          const t = setTimeout(() => rej(new Error('no message in time')), timeoutMs);
          waiting = (msg) => {
            clearTimeout(t);
            res(msg);
          };
        }),
    };
    ws.on('message', (data, binary) => {
      const m = { data: binary ? data : data.toString('utf8'), binary };
      const w = waiting;
      waiting = undefined;
      if (w) w(m);
      else queue.push(m);
    });
    ws.on('ping', () => client.pings++);
    ws.on('close', (code, reason) => resolveClosed({ code, reason: reason.toString() }));
    ws.on('open', () => resolve(client));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

export interface RawClient {
  socket: Socket;
  /** The response head the server sent. */
  head: string;
  /** Every byte the server sent after the head, so far. */
  received(): Buffer;
  /** Resolves once the server closed the connection. */
  ended: Promise<void>;
}

/** Performs the handshake by hand, then hands over the socket (frames are up to the test). */
export function rawConnect(port: number, path = '/echo'): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let head: string | undefined;
    let ended!: () => void;
    const endedP = new Promise<void>((r) => (ended = r));
    socket.on('close', () => ended());
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (head === undefined) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        head = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        resolve({ socket, head, received: () => buffer, ended: endedP });
      }
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}

/** The close code in the first close frame of unmasked server bytes, if any. */
export function closeCodeIn(bytes: Buffer): number | undefined {
  let offset = 0;
  while (offset + 2 <= bytes.length) {
    const opcode = bytes[offset]! & 0x0f;
    let length = bytes[offset + 1]! & 0x7f;
    let start = offset + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(offset + 2);
      start += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(offset + 2));
      start += 8;
    }
    if (opcode === 0x8) return length >= 2 ? bytes.readUInt16BE(start) : 1005;
    offset = start + length;
  }
  return undefined;
}
