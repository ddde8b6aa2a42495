/** Socket address strings as uWSGI writes them: `host:port`, `:port`, `[v6]:port` or a unix path. */
import { readSocketAddress, type SocketAddress } from '../config/socket-address.js';
import { gatewayError } from '../errors.js';

export type { SocketAddress };

/** Parses a socket address as uWSGI does: `host:port`, `:port`, `[v6]:port` or a unix path. */
export function parseAddress(text: string): SocketAddress {
  const read = readSocketAddress(text);
  if ('problem' in read) {
    const why = read.problem ? `: ${read.problem}` : '';
    throw gatewayError('ERR_GATEWAY_BAD_ADDRESS', `${JSON.stringify(text)}${why}`);
  }
  return read;
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
