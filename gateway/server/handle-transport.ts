/**
 * Bytes carried on a raw libuv stream handle, without a net.Socket: the transport under the fast
 * uwsgi path (uwsgi-fast-accept.ts) and the fast HTTP path (http-fast-accept.ts). Each protocol
 * decides what the bytes mean; this module keeps what a connection costs the server, the same
 * for both:
 * - the accept check: a handle this path can serve, the listener's maxConnections and the
 *   worker's connection cap (at the cap with nothing idle, Node's own path answers 503);
 * - the read at accept (the request is usually in the socket already: served without an epoll
 *   registration, a read callback or a fresh buffer), then libuv reads as usual;
 * - the count of open connections net.Server keeps (so server.close() waits for these too),
 *   kept only for a connection that outlives its accept callback;
 * - writes with WriteWrap reuse, libuv's queue and its drain, and socket-timeout on a peer that
 *   stops reading, checked by one timer per listener (not one per connection);
 * - close, and the hand-over to a net.Socket (whose writes still queued in libuv stay watched).
 *
 * It relies on Node internals kept in node-internals.ts, and is only installed when that
 * module's probe found every one of them.
 */
import type { Server, Socket } from 'node:net';
import { limitMessage } from '../limits.js';
import type { ConnectionContext } from './connection-context.js';
import {
  acceptHooks,
  probeFastTransport,
  readNow,
  type ServerInternals,
  type StreamHandle,
  type StreamWrapBinding,
  serverInternals,
  socketForHandle,
  type WriteReq,
  WriteResult,
  writeOut,
} from './node-internals.js';
import { guardWrites } from './write-guard.js';

const OWNER = Symbol('tsgi.handleConnection');
/** A handle this transport serves, pointing back at its connection. */
type OwnedHandle = StreamHandle & { [OWNER]?: HandleConnection };

/** libuv's end-of-stream read status. */
export const UV_EOF = -4095;

/**
 * What the read at accept takes at most: a request and the body a proxy buffered (a 64 KB POST,
 * or more) served at once; a longer one is read on through libuv. One buffer per listener.
 */
const READ_BUFFER_SIZE = 256 * 1024;

/** Reads served at accept, without libuv reading (the stats' accept_reads), in this process. */
export const handleCounts = { readAtAccept: 0 };

/** One listener's connections on this transport. */
export interface HandleListener {
  readonly sw: StreamWrapBinding;
  readonly server: Server;
  readonly internals: ServerInternals;
  readonly context: ConnectionContext;
  readonly live: Set<HandleConnection>;
  /** How often the sweeper checks the connections' timeouts. */
  readonly sweepEveryMs: number;
  sweeper: NodeJS.Timeout | undefined;
  /** Where a connection's first bytes are read at accept (used, or copied, before the next). */
  readonly readBuffer: Buffer;
}

export interface HandleTransportOptions {
  /** How often timeouts are checked (at most socket-timeout). */
  sweepEveryMs: number;
  /** False: this connection goes to Node's own path (e.g. a stop began). */
  admit?: () => boolean;
  /** A new connection's handle: the protocol's connection takes it from here. */
  accept: (handle: StreamHandle, listener: HandleListener) => HandleConnection;
}

/**
 * Routes the listener's accepted connections to `accept` where this transport can serve them.
 * Returns undefined (and changes nothing) when the internals it needs are missing.
 */
export function installHandleTransport(
  server: Server,
  context: ConnectionContext,
  options: HandleTransportOptions,
): HandleListener | undefined {
  const sw = probeFastTransport(context.options.disableFastTransport).binding;
  const internals = serverInternals(server);
  const hooks = sw && internals ? acceptHooks(server) : undefined;
  if (!sw || !internals || !hooks) return undefined;
  const regular = hooks.regular;
  const listener: HandleListener = {
    sw,
    server,
    internals,
    context,
    live: new Set(),
    sweepEveryMs: options.sweepEveryMs,
    sweeper: undefined,
    readBuffer: Buffer.allocUnsafe(READ_BUFFER_SIZE),
  };
  const { admit, accept } = options;
  hooks.route = function onHandleConnection(status, handle) {
    if (
      status !== 0 ||
      typeof handle?.readStart !== 'function' ||
      typeof handle.writeBuffer !== 'function' ||
      typeof handle.writev !== 'function' ||
      (admit !== undefined && !admit()) ||
      (internals.maxConnections !== undefined &&
        internals._connections >= internals.maxConnections) ||
      // At the cap with nothing idle: the regular path answers 503.
      (context.connections !== undefined && !context.connections.admit())
    ) {
      regular.call(this, status, handle);
      return;
    }
    const connection = accept(handle, listener);
    const buffer = listener.readBuffer;
    const n = readNow(handle, buffer);
    if (n > 0) {
      handleCounts.readAtAccept++;
      connection.onBytes(buffer.subarray(0, n), true);
    } else if (n === 0) {
      connection.closeHandle(); // closed before sending a byte
    }
    // Answered and closed in this call: no trace left in the bookkeeping.
    if (connection.gone) return;
    connection.track();
    if (!connection.reading && !connection.paused) connection.startReading();
  };
  return listener;
}

function startSweeper(listener: HandleListener): void {
  if (listener.sweeper) return;
  listener.sweeper = setInterval(sweep, listener.sweepEveryMs, listener);
  listener.sweeper.unref();
}

/**
 * socket-timeout on a peer that reads none of a queued write; the protocol's own waits
 * (HandleConnection.sweepWaiting) otherwise. Stops when nothing is left to watch.
 */
function sweep(listener: HandleListener): void {
  const now = Date.now();
  const { options, log } = listener.context;
  let waiting = 0;
  for (const c of listener.live) {
    if (c.inFlight > 0) {
      const queued = c.handle.writeQueueSize ?? 0;
      if (queued < c.writeQueued) {
        c.writeQueued = queued;
        c.writeProgressAt = now;
      } else if (now - c.writeProgressAt >= options.socketTimeoutMs) {
        log.warn(limitMessage('writeTimeout', options.socketTimeout, `${queued} bytes unread`));
        c.closeHandle();
        continue;
      }
      waiting++;
    } else if (c.sweepWaiting(now)) {
      waiting++;
    }
  }
  if (waiting === 0 && listener.sweeper) {
    clearInterval(listener.sweeper);
    listener.sweeper = undefined;
  }
}

function onHandleRead(this: OwnedHandle, arrayBuffer: ArrayBuffer | undefined): void {
  this[OWNER]?.onRead(arrayBuffer);
}

function ignoreRead(): void {
  // A closed handle's late read callbacks.
}

function onHandleWritten(this: WriteReq, status: number): void {
  (this.handle as OwnedHandle)[OWNER]?.written(status);
}

/**
 * One connection on a raw handle. The protocol's subclass reads (onBytes, onEnd), says what its
 * own timeouts wait for (sweepWaiting) and what follows the last queued write (drained).
 */
export abstract class HandleConnection {
  readonly handle: OwnedHandle;
  readonly listener: HandleListener;
  /** Closed, or handed to a net.Socket: this connection is done with the handle. */
  gone = false;
  reading = false;
  /** Reading stopped on purpose (the protocol resumes it): not restarted after the accept. */
  paused = false;
  /** Counted, swept and reachable from its handle (a connection that outlives its accept). */
  tracked = false;
  /** Writes libuv still holds, its queue size last seen, and when it last shrank. */
  inFlight = 0;
  writeQueued = 0;
  writeProgressAt = 0;
  /** A streamed response waiting for libuv's queue to empty. */
  drainWaiter: ((ok: boolean) => void) | undefined;

  constructor(handle: StreamHandle, listener: HandleListener) {
    this.handle = handle;
    this.listener = listener;
  }

  /** Bytes read; `borrowed`: a view of the listener's read buffer, copied if kept. */
  abstract onBytes(chunk: Buffer, borrowed: boolean): void;
  /** The peer ended its side (UV_EOF) or the read failed (another negative status). */
  protected abstract onEnd(status: number): void;
  /** True while a protocol timeout still waits on this connection (it may act on it now). */
  abstract sweepWaiting(now: number): boolean;
  /** libuv's queue emptied (a drain waiter was resolved already). */
  protected abstract drained(): void;
  /** For the connection cap: nothing under way, so it may be closed to make room. */
  abstract idle(): boolean;

  /** Exchange: the peer is gone (or the connection was handed over). */
  get closed(): boolean {
    return this.gone;
  }

  evict(): void {
    this.closeHandle();
  }

  /** Registers a connection still open after its accept callback (waiting, or the app is async). */
  track(): void {
    if (this.tracked) return;
    this.tracked = true;
    const { handle, listener } = this;
    handle[OWNER] = this;
    handle.onread = onHandleRead;
    // Counted like a net.Socket, so server.close() waits for it (graceful stop and reload).
    listener.internals._connections++;
    listener.live.add(this);
    listener.context.connections?.add(this);
    startSweeper(listener);
  }

  /** For a protocol timeout that starts later than the accept. */
  watch(): void {
    startSweeper(this.listener);
  }

  /** Starts libuv reading; false (and closed or handed over by onEnd) when it cannot. */
  startReading(): boolean {
    this.paused = false;
    if (this.reading) return true;
    this.track();
    this.reading = true;
    if (this.handle.readStart() === 0) return true;
    this.reading = false;
    this.onEnd(-1);
    return false;
  }

  stopReading(): void {
    this.paused = true;
    if (!this.reading) return;
    this.reading = false;
    this.handle.readStop();
  }

  onRead(arrayBuffer: ArrayBuffer | undefined): void {
    const { sw } = this.listener;
    const nread = sw.streamBaseState[sw.kReadBytesOrError]!;
    if (nread === 0) return;
    if (nread < 0 || !arrayBuffer) {
      this.onEnd(nread < 0 ? nread : -1);
      return;
    }
    const offset = sw.streamBaseState[sw.kArrayBufferOffset]!;
    this.onBytes(Buffer.from(arrayBuffer, offset, nread), false);
  }

  /** False when libuv had to queue the bytes (the peer reads slowly): await waitDrain(). */
  send(bytes: Uint8Array | readonly Uint8Array[]): boolean {
    if (this.gone) return false;
    const result = writeOut(this.listener.sw, this.handle, bytes, onHandleWritten);
    if (result === WriteResult.Done) return true;
    if (result === WriteResult.Failed) {
      this.closeHandle();
      return false;
    }
    // The peer reads slowly or not at all: the sweeper holds it to socket-timeout.
    if (this.inFlight++ === 0) this.writeProgressAt = Date.now();
    this.writeQueued = this.handle.writeQueueSize ?? 0;
    startSweeper(this.listener);
    return false;
  }

  /** An async write completed (libuv's oncomplete). */
  written(status: number): void {
    this.inFlight--;
    if (status < 0) {
      this.closeHandle();
      return;
    }
    this.writeProgressAt = Date.now();
    if (this.inFlight > 0) return;
    this.writeQueued = 0;
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    waiter?.(true);
    if (!this.gone) this.drained();
  }

  /** Resolves true once libuv's queue has emptied, false if the connection closed first. */
  waitDrain(): Promise<boolean> {
    if (this.gone) return Promise.resolve(false);
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.drainWaiter = resolve;
    });
  }

  closeHandle(): void {
    if (this.gone) return;
    this.gone = true;
    const tracked = this.tracked;
    this.release();
    if (tracked) this.handle.onread = ignoreRead; // must stay a function
    this.handle.close();
    if (tracked) {
      const { internals } = this.listener;
      internals._connections--;
      internals._emitCloseIfDrained();
    }
  }

  /**
   * Hands the connection to a net.Socket (Node's own path for the protocol). Writes still queued
   * in libuv go out first (the handle keeps their order) and stay held to socket-timeout.
   */
  toSocket(): Socket {
    const { handle, listener } = this;
    // The net.Socket takes this connection's place in the server's count (its close decrements).
    if (!this.tracked) listener.internals._connections++;
    this.gone = true;
    this.release();
    if (this.reading) handle.readStop();
    this.reading = false;
    const socket = socketForHandle(handle, listener.server);
    if (this.inFlight > 0) {
      const { options, log } = listener.context;
      guardWrites(socket, options, log, 0);
    }
    return socket;
  }

  private release(): void {
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    waiter?.(false);
    if (!this.tracked) return;
    this.tracked = false;
    this.handle[OWNER] = undefined;
    this.listener.live.delete(this);
    this.listener.context.connections?.delete(this);
  }
}
