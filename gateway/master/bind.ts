/**
 * The master binds every socket, but never accepts on it: workers call listen() on the handle
 * (shared accept, like uWSGI and gunicorn). Holding the bound fd keeps the kernel's listen queue
 * alive while workers come and go, so a respawn or a reload never refuses a connection.
 *
 * node:net has no public "bind without listening"; `net._createServerHandle` is what node:cluster
 * itself uses for SCHED_NONE (present in Node 20 and 24). A net.Server would start accepting in
 * the master the moment it listens.
 */

import { lookup } from 'node:dns/promises';
import { chmodSync, chownSync, lstatSync } from 'node:fs';
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { gatewayError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { formatAddress, isLoopback, type SocketAddress } from '../server/address.js';
import { clearStaleSocket, type ListenerSpec } from '../server/listeners.js';
import { type OwnedFile, removeOwnedFile } from '../server/owned-files.js';
import { createServerHandle, type RawHandle } from '../server/socket-activation.js';

export interface BoundHandle {
  readonly spec: ListenerSpec;
  /** The raw libuv handle (TCP or Pipe), sent to each worker. */
  readonly handle: RawHandle;
  readonly bound: SocketAddress;
  /** The unix socket file this master created (device and inode), to remove only that file. */
  readonly file?: { readonly dev: number; readonly ino: number };
}

function errnoText(code: number): string {
  try {
    return getSystemErrorName(code);
  } catch {
    return `errno ${code}`;
  }
}

export interface BindOptions {
  chmodSocket: number | undefined;
  chownSocket: { uid: number; gid: number } | null;
}

export async function bindHandle(
  spec: ListenerSpec,
  options: BindOptions,
  log: Logger,
): Promise<BoundHandle> {
  const { address } = spec;
  // systemd's socket: served as passed; no `file`, so it is never unlinked.
  if (spec.inherited) return { spec, handle: spec.inherited.handle, bound: spec.inherited.address };
  if (address.type === 'unix') {
    await clearStaleSocket(address.path);
    const handle = createServerHandle(address.path, -1, -1, undefined, 0);
    if (typeof handle === 'number') {
      throw gatewayError(
        'ERR_GATEWAY_BIND_FAILED',
        `${spec.kind} ${spec.spec}: ${errnoText(handle)}`,
      );
    }
    if (options.chmodSocket !== undefined) chmodSync(address.path, options.chmodSocket);
    if (options.chownSocket)
      chownSync(address.path, options.chownSocket.uid, options.chownSocket.gid);
    const { dev, ino } = lstatSync(address.path);
    return { spec, handle, bound: address, file: { dev, ino } };
  }
  let host = address.host;
  let family = net.isIP(host);
  if (family === 0) {
    const found = await lookup(host);
    host = found.address;
    family = found.family;
  }
  const handle = createServerHandle(host, address.port, family, undefined, 0);
  if (typeof handle === 'number') {
    throw gatewayError(
      'ERR_GATEWAY_BIND_FAILED',
      `${spec.kind} ${spec.spec}: ${errnoText(handle)}`,
    );
  }
  const out: Record<string, unknown> = {};
  handle.getsockname?.(out);
  const bound: SocketAddress = {
    type: 'tcp',
    host: typeof out.address === 'string' ? out.address : host,
    port: typeof out.port === 'number' ? out.port : address.port,
  };
  if (spec.kind !== 'http' && !isLoopback(address)) {
    log.warn(
      `uwsgi socket ${formatAddress(bound)} is not on loopback: the uwsgi protocol has no authentication, keep it behind a firewall or use a unix socket`,
    );
  }
  return { spec, handle, bound };
}

export async function bindHandles(
  specs: readonly ListenerSpec[],
  options: BindOptions,
  log: Logger,
): Promise<BoundHandle[]> {
  const out: BoundHandle[] = [];
  try {
    for (const spec of specs) out.push(await bindHandle(spec, options, log));
  } catch (error) {
    for (const b of out) b.handle.close();
    throw error;
  }
  return out;
}

/** A listener spec as sent to a worker: the inherited socket's handle travels apart, with the message. */
export function wireSpec(spec: ListenerSpec): ListenerSpec {
  const { inherited: _, ...rest } = spec;
  return rest;
}

/**
 * Removes the unix socket file `b` bound, if the path still names that file (a newer instance may
 * have bound the same path since). New connects then fail at once (ENOENT) while the workers keep
 * accepting on the handle. Returns the removed path, or null; throws when it cannot (EACCES).
 */
export function unlinkOwnSocket(b: BoundHandle): string | null {
  const file = socketFile(b);
  return file && removeOwnedFile(file) ? file.path : null;
}

/** The socket file `b` bound, as an owned file (null for TCP). */
export function socketFile(b: BoundHandle): OwnedFile | null {
  if (b.bound.type !== 'unix' || !b.file) return null;
  return { path: b.bound.path, dev: b.file.dev, ino: b.file.ino };
}
