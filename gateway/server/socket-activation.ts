/**
 * systemd socket activation (sd_listen_fds(3)): under LISTEN_PID = our pid and LISTEN_FDS = N, the
 * listening sockets are file descriptors 3 … 3+N-1, named by LISTEN_FDNAMES (colon-separated,
 * FileDescriptorName= in the .socket unit). The socket outlives the server: while the master
 * restarts, connections wait in the kernel's queue instead of being refused.
 *
 * Each inherited socket takes its protocol, as in uWSGI, from the option that names the same
 * address (`--http-socket /run/app.sock` makes that inherited socket HTTP), else from its name
 * (`http`, `http-socket` → HTTP; `uwsgi`, `socket` → uwsgi), else it speaks uwsgi. Configured
 * addresses that no inherited socket matches are bound as usual. An inherited unix socket is
 * systemd's file: the gateway never unlinks it (not on stop, not with --vacuum).
 */
import { fstatSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { gatewayError } from '../errors.js';
import type { SocketAddress } from './address.js';
import type { ListenerKind, ListenerSpec } from './listeners.js';

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

const KIND_BY_NAME: Readonly<Record<string, ListenerKind>> = {
  http: 'http',
  'http-socket': 'http',
  uwsgi: 'uwsgi',
  socket: 'uwsgi',
};

function sameAddress(a: SocketAddress, b: SocketAddress): boolean {
  if (a.type === 'unix' || b.type === 'unix') {
    return a.type === 'unix' && b.type === 'unix' && a.path === b.path;
  }
  if (a.port !== b.port) return false;
  const any = (h: string) => h === '0.0.0.0' || h === '::' || h === '';
  return a.host === b.host || (any(a.host) && any(b.host));
}

function formatInherited(s: InheritedSocket): string {
  const where = s.address.type === 'unix' ? s.address.path : `${s.address.host}:${s.address.port}`;
  return `fd ${s.fd}${s.name ? ` (${s.name})` : ''} ${where}`;
}

/**
 * The listener list with the inherited sockets in it: a configured spec whose address an inherited
 * socket has takes that socket; the other inherited sockets follow, their kind from their name.
 * uwsgi-ssl specs are never matched (their TLS settings live in the option).
 */
export function withInheritedSockets(
  specs: readonly ListenerSpec[],
  inherited: readonly InheritedSocket[],
): ListenerSpec[] {
  const left = [...inherited];
  const out = specs.map((spec): ListenerSpec => {
    if (spec.kind === 'uwsgi-ssl') return spec;
    const at = left.findIndex((s) => sameAddress(s.address, spec.address));
    if (at === -1) return spec;
    const [s] = left.splice(at, 1) as [InheritedSocket];
    return { ...spec, address: s.address, inherited: s };
  });
  for (const s of left) {
    out.push({
      kind: KIND_BY_NAME[s.name] ?? 'uwsgi',
      spec: formatInherited(s),
      address: s.address,
      inherited: s,
    });
  }
  return out;
}
