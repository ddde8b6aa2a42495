/**
 * The fast accept path for plain uwsgi listeners. nginx opens a new connection for every request
 * and sends the whole packet (with the body it buffered) in one write, so most connections are:
 * one read, one app call, one write, close. A net.Socket (a Duplex stream with two stream
 * states, an EventEmitter, timers) costs more CPU than all of our own per-request work
 * (profiled: ~a third of the process), so such a connection is served on its libuv handle
 * directly: the request goes through request-cycle.ts like any other, with this handle as its
 * transport (a streamed response too, with backpressure on libuv's write queue). Before the request starts, anything not that simple
 * (a packet split over reads, a body not read whole with it, a modifier other than HTTP, a bad
 * packet, silence past socket-timeout) turns the handle into a net.Socket handed back to the
 * listener, with the bytes already read, for the regular path (uwsgi-connection.ts).
 *
 * The handle's bookkeeping (accept check, read at accept, connection count, write queue and its
 * timeout, close, hand-over) is handle-transport.ts's; this file is the uwsgi protocol on it. It
 * is only installed when node-internals.ts's probe found the internals it needs; otherwise every
 * connection takes the regular path.
 */
import type { Server, Socket } from 'node:net';
import { readWholePacket } from '../uwsgi/index.js';
import type { ConnectionContext } from './connection-context.js';
import {
  HandleConnection,
  type HandleListener,
  installHandleTransport,
  UV_EOF,
} from './handle-transport.js';
import { noDelay, type StreamHandle } from './node-internals.js';
import { type Exchange, serveRequest } from './request-cycle.js';
import type { UwsgiRequest } from './uwsgi-environ.js';
import { requestFromPacket } from './uwsgi-request.js';
import { uwsgiResponse } from './uwsgi-response.js';

/**
 * Serves a connection this path gave up on as a net.Socket (the listener's regular handler);
 * `replay` are the bytes already read off it.
 */
export type ServeSocket = (socket: Socket, replay: readonly Buffer[]) => void;

export interface FastAccept {
  /** Closes every connection still on the fast path (a forced stop). */
  destroyAll(): void;
}

/**
 * Serves the listener's connections on the fast path where it can. Returns undefined (and
 * changes nothing) when the internals it needs are missing.
 */
export function installFastAccept(
  server: Server,
  context: ConnectionContext,
  fallback: ServeSocket,
): FastAccept | undefined {
  const listener = installHandleTransport(server, context, {
    sweepEveryMs: Math.min(1000, context.options.socketTimeoutMs),
    accept: (handle, listener) => new FastConnection(handle, listener, fallback),
  });
  if (!listener) return undefined;
  return {
    destroyAll() {
      for (const c of listener.live) c.closeHandle();
    },
  };
}

enum Phase {
  /** Waiting for the packet. */
  Head = 0,
  /** The app runs, or its response is being written. */
  Request = 1,
  /** Response written: closes once libuv has sent the last bytes. */
  Closing = 2,
}

class FastConnection extends HandleConnection implements Exchange {
  readonly fallback: ServeSocket;
  phase = Phase.Head;
  /** Bytes read while deciding (replayed if the connection is upgraded). */
  chunks: Buffer[] | undefined;
  /** chunks[0] is still the shared read buffer's. */
  borrowed = false;
  /** When it was tracked (a connection answered at accept never reads the clock). */
  acceptedAt = 0;
  startedAt = 0;
  /** Writes issued (see countWrite). */
  writes = 0;

  constructor(handle: StreamHandle, listener: HandleListener, fallback: ServeSocket) {
    super(handle, listener);
    this.fallback = fallback;
  }

  override track(): void {
    if (!this.tracked) this.acceptedAt = Date.now();
    super.track();
  }

  /** For the connection cap: nothing read yet. */
  idle(): boolean {
    return this.phase === Phase.Head && !this.gone;
  }

  /** Handed to the regular path past socket-timeout, which answers it as always. */
  sweepWaiting(now: number): boolean {
    if (this.phase !== Phase.Head) return false;
    if (now - this.acceptedAt < this.listener.context.options.socketTimeoutMs) return true;
    this.upgrade()?.emit('timeout');
    return false;
  }

  /**
   * Before any byte: nothing to answer (a partial packet was upgraded at once). Once the request
   * started: a FIN only half-closes (the reply still goes out), an error means it is gone.
   */
  protected onEnd(status: number): void {
    if (this.phase !== Phase.Head && status === UV_EOF) this.stopReading();
    else this.closeHandle();
  }

  onBytes(chunk: Buffer, borrowed: boolean): void {
    if (this.phase !== Phase.Head) return; // Bytes past a body-less request: peer garbage.
    if (this.chunks) {
      this.chunks.push(chunk);
      this.upgrade();
      return;
    }
    this.chunks = [chunk];
    this.borrowed = borrowed;
    this.start(chunk);
    this.borrowed = false;
  }

  /**
   * The first read: serve it here if it is a whole HTTP request (its body, if any, read with it
   * and nothing after it), else upgrade.
   */
  start(chunk: Buffer): void {
    const { context } = this.listener;
    const { options } = context;
    let request: UwsgiRequest;
    let rest: Uint8Array;
    try {
      const result = readWholePacket(chunk, options.bufferSize);
      // Split packet, ping/echo/signal: the regular path.
      if (!result || !options.httpModifiers.has(result.packet.modifier1)) {
        this.upgrade();
        return;
      }
      request = requestFromPacket(result.packet, context);
      rest = result.rest;
    } catch {
      // A bad packet: the regular path reads it again and answers it (400/431 and a log line).
      this.upgrade();
      return;
    }
    const { contentLength } = request;
    // nginx sends the packet and a buffered body in one write, so a body usually comes whole
    // with the first read. Part of a body or bytes past it: the regular path reads it.
    if (rest.length !== contentLength) {
      this.upgrade();
      return;
    }
    this.phase = Phase.Request;
    this.chunks = undefined;
    if (context.log.requests !== false) this.startedAt = performance.now();
    // The shared read buffer's bytes are copied: the app may keep its body.
    const body = contentLength === 0 ? undefined : this.borrowed ? Buffer.from(rest) : rest;
    serveRequest(context, this, request.environ, contentLength, body);
  }

  // Exchange
  get codec(): typeof uwsgiResponse {
    return uwsgiResponse;
  }

  /** Closes now, or once libuv has written what it still holds. */
  responded(ok: boolean): void {
    if (!ok || this.inFlight === 0) this.closeHandle();
    else if (this.phase === Phase.Request) this.phase = Phase.Closing;
  }

  protected drained(): void {
    if (this.phase === Phase.Closing) this.closeHandle();
  }

  /** False when libuv had to queue the bytes (the peer's window is full): await waitDrain(). */
  write(bytes: Uint8Array): boolean {
    this.countWrite();
    return this.send(bytes);
  }

  /** One vectored write of the caller's buffers (no copy into one); same answer as write(). */
  writev(chunks: readonly Uint8Array[]): boolean {
    this.countWrite();
    return this.send(chunks);
  }

  /**
   * A response known whole is one write followed by the close, which sends what Nagle held back;
   * a streamed one writes again: TCP_NODELAY from its second write (a setsockopt only then).
   */
  countWrite(): void {
    if (++this.writes === 2) noDelay(this.handle);
  }

  /**
   * Before a request started: hands the connection to the listener's regular path as a
   * net.Socket, with the bytes read so far. Returns the socket (undefined if not in that phase).
   */
  upgrade(): Socket | undefined {
    if (this.phase !== Phase.Head || this.gone) return undefined;
    if (this.borrowed && this.chunks) this.chunks[0] = Buffer.from(this.chunks[0]!);
    this.borrowed = false;
    const socket = this.toSocket();
    const replay = this.chunks ?? [];
    this.chunks = undefined;
    this.fallback(socket, replay);
    return socket;
  }
}
