/**
 * systemd socket activation (sd_listen_fds(3)): under LISTEN_PID = our pid and LISTEN_FDS = N, the
 * listening sockets are file descriptors 3 … 3+N-1, named by LISTEN_FDNAMES (colon-separated,
 * FileDescriptorName= in the .socket unit). The socket outlives the server: while the master
 * restarts, connections wait in the kernel's queue instead of being refused.
 *
 * How an inherited socket gets its protocol is listeners.ts's withInheritedSockets. An inherited
 * unix socket is systemd's file: the gateway never unlinks it (not on stop, not with --vacuum).
 */
import { fstatSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { gatewayError } from '../errors.js';
import type { SocketAddress } from './address.js';

export const LISTEN_FDS_START = 3;

/** A raw libuv TCP or Pipe handle wrapping an inherited descriptor (what a master sends workers). */
export interface RawHandle {
  close(): void;
  getsockname?(out: Record<string, unknown>): number;
}

export interface InheritedSocket {
  fd: number;
  /** LISTEN_FDNAMES entry ('' when none). */
  name: string;
  address: SocketAddress;
  handle: RawHandle;
}

type CreateServerHandle = (
  address: string | null,
  port: number,
  addressType: number,
  fd: number | undefined,
  flags: number,
) => RawHandle | number;

/**
 * node:cluster's own way to bind a TCP or Pipe handle, or to wrap a listening descriptor in one,
 * without accepting on it (node:net has no public API for either).
 */
export const createServerHandle = (net as unknown as { _createServerHandle: CreateServerHandle })
  ._createServerHandle;

/** The path of the unix socket with this socket inode, from /proc/net/unix ('' when unnamed). */
function unixPathOf(inode: number): string {
  let table = '';
  try {
    table = readFileSync('/proc/net/unix', 'utf8');
  } catch {
    return '';
  }
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (Number(f[6]) === inode) return f[7] ?? '';
  }
  return '';
}

function adopt(fd: number, name: string): InheritedSocket {
  let stat: ReturnType<typeof fstatSync>;
  try {
    stat = fstatSync(fd);
  } catch (cause) {
    throw gatewayError('ERR_GATEWAY_ACTIVATION', `fd ${fd} is not open`, cause);
  }
  if (!stat.isSocket()) throw gatewayError('ERR_GATEWAY_ACTIVATION', `fd ${fd} is not a socket`);
  const handle = createServerHandle(null, 0, -1, fd, 0);
  if (typeof handle === 'number') {
    throw gatewayError('ERR_GATEWAY_ACTIVATION', `fd ${fd} cannot be served (errno ${handle})`);
  }
  const out: Record<string, unknown> = {};
  if (handle.getsockname && handle.getsockname(out) === 0 && typeof out.port === 'number') {
    const host = typeof out.address === 'string' ? out.address : '0.0.0.0';
    return { fd, name, handle, address: { type: 'tcp', host, port: out.port } };
  }
  const path = unixPathOf(stat.ino);
  return { fd, name, handle, address: { type: 'unix', path: path || `fd:${fd}` } };
}

/**
 * Takes the sockets systemd passed, if they are meant for this process, and removes the LISTEN_*
 * variables (as sd_listen_fds(1) does) so that worker processes do not take them again.
 */
export function takeInheritedSockets(
  env: NodeJS.ProcessEnv,
  pid: number = process.pid,
): InheritedSocket[] {
  const { LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES } = env;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  if (LISTEN_PID === undefined || LISTEN_FDS === undefined) return [];
  if (Number(LISTEN_PID) !== pid) return []; // meant for a parent (npx, a shell) or another service
  const count = Number(LISTEN_FDS);
  if (!Number.isInteger(count) || count < 0 || count > 1024) {
    throw gatewayError('ERR_GATEWAY_ACTIVATION', `LISTEN_FDS=${JSON.stringify(LISTEN_FDS)}`);
  }
  const names = LISTEN_FDNAMES ? LISTEN_FDNAMES.split(':') : [];
  const out: InheritedSocket[] = [];
  try {
    for (let i = 0; i < count; i++) out.push(adopt(LISTEN_FDS_START + i, names[i] ?? ''));
  } catch (error) {
    for (const s of out) s.handle.close();
    throw error;
  }
  return out;
}
