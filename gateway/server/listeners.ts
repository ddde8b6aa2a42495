/**
 * Binding sockets, kept apart from serving them: a master can bind every listener and hand the
 * handles to workers, which attach the connection handlers (see serve-listeners.ts).
 * Every listener is a plain net.Server; TLS and HTTP are layered per accepted connection.
 */
import { chmodSync, lstatSync, statSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import { gatewayError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { formatAddress, isLoopback, parseAddress, type SocketAddress } from './address.js';
import type { ResolvedServerOptions } from './options.js';
import type { InheritedSocket } from './socket-activation.js';

/** The protocol a socket speaks: `uwsgi`, `uwsgi-ssl` or `http`. */
export type ListenerKind = 'uwsgi' | 'uwsgi-ssl' | 'http';

/** One socket to bind: its kind and address (from --socket, --ssl-socket, --http-socket, --http). */
export interface ListenerSpec {
  kind: ListenerKind;
  /** The option value as given (for log lines). */
  spec: string;
  address: SocketAddress;
  /** PEM files for uwsgi-ssl. */
  cert?: string;
  key?: string;
  /** The socket systemd passed for this listener (never unlinked, never re-bound). */
  inherited?: InheritedSocket;
}

/** A bound socket: its spec, the net.Server and the address it got. */
export interface Listener extends ListenerSpec {
  server: Server;
  /** The bound address (the real port when 0 was asked for). */
  bound: SocketAddress;
}

/** The sockets a set of options asks for, in option order. */
export function listenerSpecs(options: ResolvedServerOptions): ListenerSpec[] {
  const specs: ListenerSpec[] = [];
  for (const spec of options.socket)
    specs.push({ kind: 'uwsgi', spec, address: parseAddress(spec) });
  for (const spec of options.sslSocket) {
    const parts = spec.split(',');
    if (parts.length !== 3 || parts.some((p) => p.trim() === '')) {
      throw gatewayError('ERR_GATEWAY_BAD_SSL_SOCKET', JSON.stringify(spec));
    }
    const [addr, cert, key] = parts as [string, string, string];
    specs.push({
      kind: 'uwsgi-ssl',
      spec,
      address: parseAddress(addr),
      cert: cert.trim(),
      key: key.trim(),
    });
  }
  for (const spec of options.httpSocket)
    specs.push({ kind: 'http', spec, address: parseAddress(spec) });
  const all = withInheritedSockets(specs, options.inherited);
  if (all.length === 0) throw gatewayError('ERR_GATEWAY_NO_SOCKET');
  return all;
}

/**
 * Why a unix socket cannot be made at `path` because of its directory, or null. bind() says
 * ENOENT for a missing directory and libuv reports it as EACCES, which sends an operator to chmod.
 */
function missingDirectory(path: string): string | null {
  const dir = dirname(path);
  try {
    return statSync(dir).isDirectory() ? null : `${path}: ${dir} is not a directory`;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `${path}: the directory ${dir} does not exist (create it first)`;
    if (code === 'ENOTDIR') return `${path}: ${dir} is not a directory`;
    return null; // EACCES and others: bind() says it best.
  }
}

/**
 * Removes a stale unix socket file (one nobody accepts on); refuses to steal a live one, and
 * names a missing directory.
 */
export async function clearStaleSocket(path: string): Promise<void> {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    const why = missingDirectory(path);
    if (why) throw gatewayError('ERR_GATEWAY_BIND_FAILED', why);
    return; // No file: nothing to clear.
  }
  if (!isSocket)
    throw gatewayError('ERR_GATEWAY_BIND_FAILED', `${path} exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw gatewayError('ERR_GATEWAY_BIND_FAILED', `${path} is in use by another process`);
  unlinkSync(path);
}

/** Options of bindListener: whether a stale unix socket file is removed first. */
export interface BindOptions {
  /**
   * Remove a stale unix socket file before binding (default true). A cluster worker whose
   * primary shares the handle must pass false: the file is live, owned by the primary.
   */
  clearStaleUnixSocket?: boolean;
}

/** Binds one listening socket (TCP or unix, with chmod/chown for unix paths). */
export async function bindListener(
  spec: ListenerSpec,
  options: ResolvedServerOptions,
  log: Logger,
  bind: BindOptions = {},
): Promise<Listener> {
  const { address } = spec;
  if (spec.inherited) return listenInherited(spec, spec.inherited, options.listen);
  if (address.type === 'unix' && bind.clearStaleUnixSocket !== false)
    await clearStaleSocket(address.path);
  // allowHalfOpen: a peer's FIN must not end our side before the response is written.
  const server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(gatewayError('ERR_GATEWAY_BIND_FAILED', `${spec.kind} ${spec.spec}`, cause)),
    );
    const backlog = options.listen;
    if (address.type === 'unix') server.listen({ path: address.path, backlog }, resolve);
    else server.listen({ host: address.host, port: address.port, backlog }, resolve);
  });
  let bound: SocketAddress = address;
  const info = server.address();
  if (info && typeof info === 'object')
    bound = { type: 'tcp', host: info.address, port: info.port };
  if (address.type === 'unix' && options.chmodSocket !== undefined)
    chmodSync(address.path, options.chmodSocket);
  if (spec.kind !== 'http' && !isLoopback(address)) {
    log.warn(
      `uwsgi socket ${formatAddress(bound)} is not on loopback: the uwsgi protocol has no authentication, ` +
        'keep it behind a firewall or use a unix socket',
    );
  }
  return { ...spec, server, bound };
}

/** Serves a socket systemd passed: no bind, no stale-file check, no chmod (the .socket unit's job). */
async function listenInherited(
  spec: ListenerSpec,
  inherited: InheritedSocket,
  backlog: number,
): Promise<Listener> {
  const server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(gatewayError('ERR_GATEWAY_ACTIVATION', `${spec.kind} ${spec.spec}`, cause)),
    );
    server.listen(inherited.handle as never, backlog, resolve);
  });
  return { ...spec, server, bound: inherited.address };
}

/** Binds every socket the options name; closes those already bound if one fails. */
export async function bindListeners(
  options: ResolvedServerOptions,
  log: Logger,
): Promise<Listener[]> {
  const listeners: Listener[] = [];
  try {
    for (const spec of listenerSpecs(options))
      listeners.push(await bindListener(spec, options, log));
  } catch (error) {
    for (const l of listeners) l.server.close();
    throw error;
  }
  return listeners;
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
 * Sockets from systemd socket activation take their protocol, as in uWSGI, from the option that
 * names the same address (`--http-socket /run/app.sock` makes that inherited socket HTTP), else
 * from their name (`http`, `http-socket` → HTTP; `uwsgi`, `socket` → uwsgi), else they speak
 * uwsgi. Configured addresses that no inherited socket matches are bound as usual.
 *
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
