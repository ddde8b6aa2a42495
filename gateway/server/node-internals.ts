/**
 * Every use of Node internals in the gateway, in one place. The fast transport (uwsgi
 * connections served on their libuv handle, uwsgi-fast-accept.ts) needs stream_wrap's shared
 * state through process.binding() and the listen handle's onconnection; the accept drain
 * (worker/accept-drain.ts) and the write guard (write-guard.ts) read the same handles.
 *
 * probeFastTransport() decides once per process, at start-up, and says why when it is off:
 * - turned off by --disable-fast-transport;
 * - the permission model is on (process.binding throws ERR_ACCESS_DENIED there);
 * - process.binding or stream_wrap's fields are missing (a future Node).
 * process.binding() is deprecated (DEP0111, a pending deprecation): under --pending-deprecation
 * it prints a warning, and with --throw-deprecation as well that warning is thrown on a later
 * tick, out of any try/catch. The one call is therefore made with process.noDeprecation set
 * (a documented, writable flag), so neither flag prints or throws for it.
 */
import { readSync } from 'node:fs';
import { type Server, Socket } from 'node:net';

export interface StreamHandle {
  onread: (this: StreamHandle, ab: ArrayBuffer | undefined) => void;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: WriteReq, buffer: Uint8Array): number;
  /** One write of several buffers (`allBuffers` true: every chunk is a Uint8Array). */
  writev(req: WriteReq, chunks: readonly Uint8Array[], allBuffers: boolean): number;
  /** Bytes libuv still holds for writing. */
  readonly writeQueueSize?: number;
  close(callback?: () => void): void;
  /** TCP handles only: TCP_NODELAY (pipes have no such method). */
  setNoDelay?(enable: boolean): number;
  /** The file descriptor (-1 or absent where there is none, e.g. on Windows). */
  readonly fd?: number;
}

export interface WriteReq {
  handle: StreamHandle;
  /** What the write reads from, kept alive until it completes. */
  buffer?: Uint8Array | readonly Uint8Array[];
  async: boolean;
  oncomplete: (this: WriteReq, status: number) => void;
}

export interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
}

/** net.Server's connection count, as the fast transport keeps it in step. */
export interface ServerInternals {
  _connections: number;
  _emitCloseIfDrained(): void;
  maxConnections?: number;
}

export type OnConnection = (this: unknown, status: number, handle: StreamHandle) => void;

export interface FastTransportProbe {
  readonly on: boolean;
  /** Why it is off ('' when on). */
  readonly reason: string;
  readonly binding: StreamWrapBinding | null;
}

let probed: FastTransportProbe | undefined;
let disabledByOption = false;

/** Turns it off for the whole process (tests, A/B measurements); decided again at the next probe. */
export function disableFastTransport(disabled = true): void {
  disabledByOption = disabled;
  probed = undefined;
}

function off(reason: string): FastTransportProbe {
  return { on: false, reason, binding: null };
}

/**
 * Decides whether the fast transport can run in this process (cached); `disabled` is the
 * disable-fast-transport option of the caller.
 */
export function probeFastTransport(disabled = false): FastTransportProbe {
  if (disabled) return off('turned off by disable-fast-transport');
  if (probed) return probed;
  probed = decide();
  return probed;
}

function decide(): FastTransportProbe {
  if (disabledByOption) return off('turned off by disable-fast-transport');
  const proc = process as unknown as {
    permission?: unknown;
    binding?: (name: string) => StreamWrapBinding;
  };
  if (proc.permission !== undefined) return off("Node's permission model is on");
  if (typeof proc.binding !== 'function') return off('this Node has no process.binding');
  // Under --no-deprecation the flag is true already and read-only: leave it alone then.
  const silence = process.noDeprecation !== true;
  let b: StreamWrapBinding;
  try {
    if (silence) process.noDeprecation = true;
    b = proc.binding('stream_wrap');
  } catch (error) {
    return off(`process.binding('stream_wrap') failed: ${(error as Error)?.message ?? error}`);
  } finally {
    if (silence) process.noDeprecation = false;
  }
  if (
    typeof b?.WriteWrap !== 'function' ||
    !(b.streamBaseState instanceof Int32Array) ||
    typeof b.kReadBytesOrError !== 'number' ||
    typeof b.kArrayBufferOffset !== 'number' ||
    typeof b.kLastWriteWasAsync !== 'number'
  ) {
    return off('stream_wrap lacks the fields it needs (a Node this version does not know)');
  }
  return { on: true, reason: '', binding: b };
}

/**
 * The accept path of one listener: observers see every accepted connection (the accept drain
 * counts them), one route serves it (the fast transport, or Node's own). Installed once per
 * server on its listen handle; undefined when the handle is not there.
 */
export interface AcceptHooks {
  readonly observers: Array<() => void>;
  /** Node's own onconnection (makes a net.Socket and emits 'connection'). */
  readonly regular: OnConnection;
  route: OnConnection;
}

const HOOKS = Symbol('tsgi.acceptHooks');

export function acceptHooks(server: Server): AcceptHooks | undefined {
  const s = server as unknown as {
    [HOOKS]?: AcceptHooks;
    _handle?: { onconnection?: OnConnection } | null;
  };
  if (s[HOOKS]) return s[HOOKS];
  const handle = s._handle;
  const regular = handle?.onconnection;
  if (!handle || typeof regular !== 'function') return undefined;
  const hooks: AcceptHooks = { observers: [], regular, route: regular };
  handle.onconnection = function onAccept(status, h) {
    const observers = hooks.observers;
    for (let i = 0; i < observers.length; i++) observers[i]!();
    hooks.route.call(this, status, h);
  };
  s[HOOKS] = hooks;
  return hooks;
}

/** The net.Server fields the fast transport keeps in step, or undefined if they moved. */
export function serverInternals(server: Server): ServerInternals | undefined {
  const internals = server as unknown as ServerInternals;
  if (
    typeof internals._connections !== 'number' ||
    typeof internals._emitCloseIfDrained !== 'function'
  ) {
    return undefined;
  }
  return internals;
}

/** A net.Socket for a handle the fast transport started on (it then serves as any socket). */
export function socketForHandle(handle: StreamHandle, server: Server): Socket {
  const socket = new Socket({
    handle: handle as never,
    allowHalfOpen: true,
    readable: true,
    writable: true,
  } as never);
  // The net.Socket now stands for this connection in the server's count (its close decrements).
  const s = socket as Socket & { server?: Server; _server?: Server };
  s.server = server;
  s._server = server;
  return socket;
}

type CountedSocket = Socket & {
  _bytesDispatched?: number;
  _handle?: { writeQueueSize?: number } | null;
};

/**
 * Bytes a socket has handed to the kernel so far: what it dispatched to libuv (its private count,
 * on Node 20 and 24) less what libuv still queues. It grows while the peer reads, whatever the app
 * writes meanwhile: the measure of a write's progress (socket-timeout). Without the private count,
 * the bytes written less the stream's buffer (an in-flight write then counts only when done).
 */
export function handedBytes(socket: Socket): number {
  const s = socket as CountedSocket;
  const dispatched = s._bytesDispatched ?? socket.bytesWritten - socket.writableLength;
  return dispatched - (s._handle?.writeQueueSize ?? 0);
}

/** Bytes a socket has not handed to the kernel yet: its stream buffer and libuv's queue. */
export function unsentBytes(socket: Socket): number {
  return socket.bytesWritten - handedBytes(socket);
}

/** Frozen intrinsics make it read-only; then the EAGAIN of readNow keeps its stack trace. */
const stackLimitWritable =
  Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable === true;

/**
 * Reads what the peer has sent already, on a handle that is not reading yet. nginx writes its
 * uwsgi packet right after connecting, so it is usually there when the connection is accepted,
 * as uWSGI relies on (accept, then read). Read this way, a connection needs no epoll
 * registration, no read callback and no fresh buffer from Node. Returns the byte count, 0 at end
 * of stream, or -1 when nothing is there yet (EAGAIN) or the read failed: the caller then starts
 * reading as usual, and libuv reports a real error again.
 */
export function readNow(handle: StreamHandle, buffer: Uint8Array): number {
  const fd = handle.fd;
  if (typeof fd !== 'number' || fd < 0) return -1;
  const limit = Error.stackTraceLimit;
  // EAGAIN throws: an error thrown away at once needs no stack trace (a third of its cost).
  if (stackLimitWritable) Error.stackTraceLimit = 0;
  try {
    return readSync(fd, buffer, 0, buffer.length, null);
  } catch {
    return -1;
  } finally {
    if (stackLimitWritable) Error.stackTraceLimit = limit;
  }
}

/**
 * A WriteWrap a write did not keep: libuv only takes one over when it queues bytes, so one that
 * served a write the kernel took whole (the usual small response) serves the next one too.
 */
let spareWriteReq: WriteReq | undefined;

/** What writeOut did: all bytes went out now, libuv queued some (oncomplete follows), or failed. */
export enum WriteResult {
  Done = 0,
  Queued = 1,
  Failed = -1,
}

/**
 * Writes `bytes` (an array: one vectored write of all of them) on a stream handle as net.Socket
 * does: libuv tries the write at once and queues what the kernel did not take, keeping `bytes`
 * until `oncomplete` (called with `this` = the request, whose `handle` is this one).
 */
export function writeOut(
  sw: StreamWrapBinding,
  handle: StreamHandle,
  bytes: Uint8Array | readonly Uint8Array[],
  oncomplete: WriteReq['oncomplete'],
): WriteResult {
  const req = spareWriteReq ?? new sw.WriteWrap();
  spareWriteReq = undefined;
  req.handle = handle;
  req.oncomplete = oncomplete;
  req.async = false;
  const error =
    bytes instanceof Uint8Array ? handle.writeBuffer(req, bytes) : handle.writev(req, bytes, true);
  if (error !== 0) return WriteResult.Failed;
  if (sw.streamBaseState[sw.kLastWriteWasAsync]) {
    req.buffer = bytes; // kept alive until oncomplete
    req.async = true;
    return WriteResult.Queued;
  }
  spareWriteReq = req;
  return WriteResult.Done;
}

interface AddressOut {
  address?: string;
  port?: number;
}
type NameHandle = { getpeername?(out: AddressOut): number; getsockname?(out: AddressOut): number };

/**
 * The peer and local address of a TCP handle served without a net.Socket (what a net.Socket's
 * remoteAddress/localAddress read); empty for a unix socket, which has none.
 */
export function handleAddresses(handle: StreamHandle): {
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
} {
  const h = handle as unknown as NameHandle;
  const peer: AddressOut = {};
  const local: AddressOut = {};
  if (typeof h.getpeername !== 'function' || h.getpeername(peer) !== 0) return {};
  if (typeof h.getsockname === 'function') h.getsockname(local);
  return {
    remoteAddress: peer.address,
    remotePort: peer.port,
    localAddress: local.address,
    localPort: local.port,
  };
}

/**
 * Turns Nagle's algorithm off on a TCP handle (a no-op on a unix socket), as net.Socket's
 * setNoDelay does: a small write held back until the peer acknowledges the previous one meets
 * the peer's delayed acknowledgement, a 40 ms stall per streamed chunk.
 */
export function noDelay(handle: StreamHandle): void {
  handle.setNoDelay?.(true);
}
