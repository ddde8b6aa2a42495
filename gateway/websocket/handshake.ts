/**
 * The opening handshake (RFC 6455 4.2), read from the environ the HTTP path built: whether the
 * request is a WebSocket upgrade we can accept, the offered subprotocols, and the 101 head.
 */
import { createHash } from 'node:crypto';
import type { Environ, HeaderList } from '../../src/index.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface Offer {
  key: string;
  protocols: string[];
}

function tokens(value: unknown): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
    : [];
}

/**
 * The client's offer, or a reason why this is not a WebSocket handshake we accept (then the app
 * sees an ordinary request without tsgi.websocket).
 */
export function readOffer(environ: Environ): Offer | string {
  if (environ.REQUEST_METHOD !== 'GET') return 'not a GET';
  if (!tokens(environ.HTTP_UPGRADE).some((t) => t.toLowerCase() === 'websocket')) {
    return 'Upgrade is not websocket';
  }
  if (!tokens(environ.HTTP_CONNECTION).some((t) => t.toLowerCase() === 'upgrade')) {
    return 'Connection has no upgrade';
  }
  if (environ.HTTP_SEC_WEBSOCKET_VERSION !== '13') return 'Sec-WebSocket-Version is not 13';
  const key = String(environ.HTTP_SEC_WEBSOCKET_KEY ?? '').trim();
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return 'Sec-WebSocket-Key is not 16 bytes of base64';
  const protocols = tokens(environ.HTTP_SEC_WEBSOCKET_PROTOCOL).filter((p) => TOKEN.test(p));
  return { key, protocols };
}

export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

/** The 101 response head. Header values were checked by the caller (no CR/LF). */
export function switchingProtocols(key: string, protocol: string, extra: HeaderList): string {
  let head =
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n`;
  if (protocol) head += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  for (const [name, value] of extra) head += `${name}: ${value}\r\n`;
  return `${head}\r\n`;
}
