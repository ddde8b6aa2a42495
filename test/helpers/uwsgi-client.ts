/** Raw uwsgi packets over a socket (unix, TCP or TLS): send bytes, collect the reply until close. */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { encodePacket } from '../../gateway/uwsgi/index.js';

export type Target = { path: string } | { host: string; port: number };

export interface RawReply {
  data: Buffer;
  /** How the server ended the connection. */
  end: 'close' | 'reset' | 'timeout';
}

export function openSocket(target: Target, options: { tls?: boolean } = {}): Socket {
  if (options.tls) {
    return tlsConnect({ ...(target as { host: string; port: number }), rejectUnauthorized: false });
  }
  return 'path' in target ? netConnect(target.path) : netConnect(target.port, target.host);
}

/**
 * Sends `chunks` (with `gapMs` between them) and reads until the server closes.
 * `keepOpen` leaves our side open after sending (nginx never half-closes).
 */
export function rawRequest(
  target: Target,
  chunks: Uint8Array | Uint8Array[],
  options: { tls?: boolean; timeoutMs?: number; gapMs?: number; halfClose?: boolean } = {},
): Promise<RawReply> {
  const list = Array.isArray(chunks) ? chunks : [chunks];
  return new Promise((resolve) => {
    const socket = openSocket(target, options);
    const parts: Buffer[] = [];
    let settled = false;
    const done = (end: RawReply['end']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(parts), end });
    };
    const timer = setTimeout(() => done('timeout'), options.timeoutMs ?? 10_000);
    socket.on('data', (c: Buffer) => parts.push(c));
    socket.on('end', () => done('close'));
    socket.on('close', () => done('close'));
    socket.on('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNRESET' ? 'reset' : 'close'),
    );
    socket.once(options.tls ? 'secureConnect' : 'connect', async () => {
      for (const chunk of list) {
        socket.write(chunk);
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
      if (options.halfClose) socket.end();
    });
  });
}

export interface ParsedResponse {
  statusLine: string;
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** Splits raw HTTP/1.x response bytes (no chunked decoding: the gateway never chunks). */
export function parseResponse(data: Buffer): ParsedResponse {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1)
    throw new Error(`no header block in ${JSON.stringify(data.toString('latin1').slice(0, 200))}`);
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = lines[0]!;
  const headers = lines.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string];
  });
  return {
    statusLine,
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: data.subarray(end + 4),
  };
}

export function header(response: ParsedResponse, name: string): string[] {
  return response.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}

/** A body-less uwsgi request for `uri`, with the vars nginx's uwsgi_params always sends. */
export function uwsgiGet(uri: string, extra: Array<[string, string]> = []): Uint8Array {
  const q = uri.indexOf('?');
  return encodePacket([
    ['REQUEST_METHOD', 'GET'],
    ['REQUEST_URI', uri],
    ['PATH_INFO', q === -1 ? uri : uri.slice(0, q)],
    ['QUERY_STRING', q === -1 ? '' : uri.slice(q + 1)],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['SERVER_NAME', 'x'],
    ['SERVER_PORT', '80'],
    ...extra,
  ]);
}
