/** Socket address strings as uWSGI writes them: `host:port`, `:port`, `[v6]:port` or a unix path. */
import { gatewayError } from '../errors.js';

/** A parsed socket address: TCP host and port, or a unix path. */
export type SocketAddress =
  | { type: 'tcp'; host: string; port: number }
  | { type: 'unix'; path: string };

/** Parses a socket address as uWSGI does: `host:port`, `:port`, `[v6]:port` or a unix path. */
export function parseAddress(text: string): SocketAddress {
  const spec = text.trim();
  if (spec.includes('/')) return { type: 'unix', path: spec };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(spec);
  if (!m) {
    if (/^[\w.-]+\.sock$/.test(spec)) return { type: 'unix', path: spec };
    throw gatewayError('ERR_GATEWAY_BAD_ADDRESS', JSON.stringify(text));
  }
  const port = Number(m[3]);
  if (port > 65535)
    throw gatewayError('ERR_GATEWAY_BAD_ADDRESS', `${JSON.stringify(text)}: port over 65535`);
  // `:3031` binds every interface, as in uWSGI.
  const host = m[1] ?? (m[2] === '' ? '0.0.0.0' : m[2]!);
  return { type: 'tcp', host, port };
}

export function isLoopback(address: SocketAddress): boolean {
  if (address.type === 'unix') return true;
  const h = address.host.toLowerCase();
  return h === 'localhost' || h === '::1' || h.startsWith('127.') || h === '::ffff:127.0.0.1';
}

export function formatAddress(address: SocketAddress): string {
  if (address.type === 'unix') return address.path;
  return address.host.includes(':')
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}
