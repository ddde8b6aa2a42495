/** Small tools shared by the reliability tests: request packets, stalled sockets, log checks. */
import type { Socket } from 'node:net';
import { encodePacket } from '../../gateway/uwsgi/index.js';
import { openSocket, type Target } from '../helpers/uwsgi-client.js';

export const APP = 'test/reliability/fixtures/app.ts';

/** Log lines that mean an exception escaped the gateway's own handling. */
export const CRASH_PATTERN =
  /uncaught|unhandled|TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack|out of memory/i;

/** A request packet as nginx builds it (uwsgi_params order), with extra vars and a body. */
export function requestPacket(
  method: string,
  uri: string,
  options: {
    extra?: Array<[string, string]>;
    body?: Uint8Array | string;
    contentLength?: string;
  } = {},
): Uint8Array {
  const q = uri.indexOf('?');
  const path = q === -1 ? uri : uri.slice(0, q);
  const body = options.body ?? '';
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  return encodePacket(
    [
      ['QUERY_STRING', q === -1 ? '' : uri.slice(q + 1)],
      ['REQUEST_METHOD', method],
      ['CONTENT_TYPE', ''],
      ['CONTENT_LENGTH', options.contentLength ?? (length ? String(length) : '')],
      ['REQUEST_URI', uri],
      ['PATH_INFO', decodeURIComponent(path)],
      ['DOCUMENT_ROOT', '/usr/share/nginx/html'],
      ['SERVER_PROTOCOL', 'HTTP/1.1'],
      ['REQUEST_SCHEME', 'http'],
      ['REMOTE_ADDR', '127.0.0.1'],
      ['REMOTE_PORT', '40000'],
      ['SERVER_PORT', '80'],
      ['SERVER_NAME', 'test.local'],
      ['HTTP_HOST', 'test.local'],
      ...(options.extra ?? []),
    ],
    { body },
  );
}

export interface HeldSocket {
  socket: Socket;
  /** Bytes the server sent. */
  data(): Buffer;
  /** Resolves when the server ends the connection: how, and when (performance.now()). */
  ended: Promise<{ how: 'end' | 'reset' | 'close'; at: number }>;
  isOpen(): boolean;
}

/** Opens a connection, writes `bytes`, and keeps it open (a stalled client). */
export function holdSocket(target: Target, bytes: Uint8Array | string): Promise<HeldSocket> {
  return new Promise((resolve, reject) => {
    const socket = openSocket(target);
    const parts: Buffer[] = [];
    let open = true;
    let settle: (v: { how: 'end' | 'reset' | 'close'; at: number }) => void;
    const ended = new Promise<{ how: 'end' | 'reset' | 'close'; at: number }>((r) => {
      settle = r;
    });
    const finish = (how: 'end' | 'reset' | 'close') => {
      if (!open) return;
      open = false;
      settle({ how, at: performance.now() });
    };
    socket.on('data', (c: Buffer) => parts.push(c));
    socket.on('end', () => finish('end'));
    socket.on('close', () => finish('close'));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') finish('reset');
      else if (open && socket.connecting) reject(e);
      else finish('close');
    });
    socket.once('connect', () => {
      socket.write(bytes);
      resolve({ socket, data: () => Buffer.concat(parts), ended, isOpen: () => open });
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lines matching `pattern` since index `from` of a growing log. */
export function linesSince(lines: readonly string[], from: number, pattern: RegExp): string[] {
  return lines.slice(from).filter((l) => pattern.test(l));
}
