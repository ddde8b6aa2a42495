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
 * It relies on Node internals that have been stable since Node 12 (the stream handle's onread /
 * writeBuffer / close, stream_wrap's shared state, net.Server's _handle and _connections) and is
 * only installed when node-internals.ts's probe found every one of them; otherwise every
 * connection takes the regular path.
 */
import type { Server, Socket } from 'node:net';
import { gatewayError } from '../errors.js';
import { PacketReader } from '../uwsgi/index.js';
import type { ConnectionContext } from './connection-context.js';
import {
  acceptHooks,
  noDelay,
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
import { type Exchange, serveRequest } from './request-cycle.js';
import type { UwsgiRequest } from './uwsgi-environ.js';
import { requestFromPacket } from './uwsgi-request.js';
import { uwsgiResponse } from './uwsgi-response.js';

const FAST = Symbol('tsgi.fastConnection');
/** A handle this path serves, pointing back at its connection. */
type FastHandle = StreamHandle & { [FAST]?: FastConnection };
/** libuv's end-of-stream read status. */
const UV_EOF = -4095;
/**
 * What the read at accept takes at most: a packet and a body nginx buffered (a 64 KB POST and its
 * vars, or more) served without a net.Socket; a longer request is read on through libuv. As much
 * as a connection may hold of an unread body anyway (socket-body.ts), one buffer per listener.
 */
const READ_BUFFER_SIZE = 256 * 1024;
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
  const sw = probeFastTransport(context.options.disableFastTransport).binding;
  const internals = serverInternals(server);
  const hooks = sw && internals ? acceptHooks(server) : undefined;
  if (!sw || !internals || !hooks) return undefined;
  const regular = hooks.regular;
  const live = new Set<FastConnection>();
  const shared: Shared = {
    sw,
    server,
    internals,
    context,
    fallback,
    live,
    sweeper: undefined,
    readBuffer: Buffer.allocUnsafe(READ_BUFFER_SIZE),
  };
  hooks.route = function onFastConnection(status, handle) {
    if (
      status !== 0 ||
      typeof handle?.readStart !== 'function' ||
      typeof handle.writeBuffer !== 'function' ||
      typeof handle.writev !== 'function' ||
      (internals.maxConnections !== undefined &&
        internals._connections >= internals.maxConnections) ||
      // At the cap with nothing idle: the regular path answers 503.
      (context.connections !== undefined && !context.connections.admit())
    ) {
      regular.call(this, status, handle);
      return;
    }
    const connection = new FastConnection(handle, shared);
    // Usually nginx's packet is there already: served now, the handle never reads through libuv,
    // and a response written and closed in this call leaves no trace in the bookkeeping below.
    const n = readNow(handle, shared.readBuffer);
    if (n > 0) connection.onBytes(shared.readBuffer.subarray(0, n), true);
    else if (n === 0) connection.closeHandle(); // closed before sending a byte
    if (connection.phase === Phase.Gone) return;
    connection.track();
    if (handle.readStart() !== 0) connection.upgrade();
  };
  return {
    destroyAll() {
      for (const c of live) c.closeHandle();
    },
  };
}

interface Shared {
  sw: StreamWrapBinding;
  server: Server;
  internals: ServerInternals;
  context: ConnectionContext;
  fallback: ServeSocket;
  live: Set<FastConnection>;
  /** One timer for every fast connection waiting for its first bytes (not one per socket). */
  sweeper: NodeJS.Timeout | undefined;
  /** Where a connection's first bytes are read at accept (decoded or copied before the next). */
  readBuffer: Buffer;
}

function startSweeper(shared: Shared): void {
  if (shared.sweeper) return;
  shared.sweeper = setInterval(
    sweep,
    Math.min(1000, shared.context.options.socketTimeoutMs),
    shared,
  );
  shared.sweeper.unref();
}

function onFastRead(this: FastHandle, arrayBuffer: ArrayBuffer | undefined): void {
  this[FAST]?.onRead(arrayBuffer);
}

function ignoreRead(): void {
  // A closed handle's late read callbacks.
}

function onFastWritten(this: WriteReq, status: number): void {
  (this.handle as FastHandle)[FAST]?.written(status);
}

/** Checks the connections still waiting for bytes, or for a peer to read, against socket-timeout. */
function sweep(shared: Shared): void {
  const now = Date.now();
  let waiting = 0;
  const { options, log } = shared.context;
  for (const c of shared.live) {
    if (c.writeQueued > 0) {
      const queued = c.handle.writeQueueSize ?? 0;
      if (queued < c.writeQueued) {
        c.writeQueued = queued;
        c.writeProgressAt = now;
        waiting++;
      } else if (now - c.writeProgressAt >= options.socketTimeoutMs) {
        const limit = `${queued} bytes unread, ${options.socketTimeout} s (socket-timeout)`;
        log.warn(gatewayError('ERR_GATEWAY_WRITE_TIMEOUT', limit).message);
        c.closeHandle();
      } else waiting++;
      continue;
    }
    if (c.phase !== Phase.Head) continue;
    // Handed to the regular path, which owns the timeout from there and answers it as always.
    if (now - c.acceptedAt >= shared.context.options.socketTimeoutMs) c.upgrade()?.emit('timeout');
    else waiting++;
  }
  if (waiting === 0 && shared.sweeper) {
    clearInterval(shared.sweeper);
    shared.sweeper = undefined;
  }
}

enum Phase {
  /** Waiting for the packet. */
  Head = 0,
  /** The app runs, or its response is being written. */
  Request = 1,
  /** Response written: closes once libuv has sent the last bytes. */
  Closing = 2,
  /** Closed, or handed to a net.Socket. */
  Gone = 3,
}

class FastConnection implements Exchange {
  readonly handle: FastHandle;
  readonly shared: Shared;
  phase = Phase.Head;
  closed = false;
  /** Bytes read while deciding (replayed if the connection is upgraded). */
  chunks: Buffer[] | undefined;
  /** chunks[0] is still the shared read buffer's. */
  borrowed = false;
  acceptedAt = 0;
  startedAt = 0;
  /** libuv's queue after an async write (0: none pending), and when it last shrank. */
  writeQueued = 0;
  writeProgressAt = 0;
  /** Writes issued (see countWrite). */
  writes = 0;
  /** Writes libuv has not completed yet. */
  writesPending = 0;
  /** A streamed response waiting for libuv's queue to empty. */
  drainWaiter: ((ok: boolean) => void) | undefined;

  /** Counted, swept and reachable from its handle (a connection that outlives its accept). */
  tracked = false;

  constructor(handle: FastHandle, shared: Shared) {
    this.handle = handle;
    this.shared = shared;
  }

  /** Registers a connection still open after its accept callback (waiting, or the app is async). */
  track(): void {
    if (this.tracked) return;
    this.tracked = true;
    const { handle, shared } = this;
    handle[FAST] = this;
    handle.onread = onFastRead;
    // Counted like a net.Socket, so server.close() waits for it (graceful stop and reload).
    shared.internals._connections++;
    shared.live.add(this);
    shared.context.connections?.add(this);
    startSweeper(shared);
    this.acceptedAt = Date.now();
  }

  /** For the connection cap: nothing read yet. */
  idle(): boolean {
    return this.phase === Phase.Head;
  }

  evict(): void {
    this.closeHandle();
  }

  onRead(arrayBuffer: ArrayBuffer | undefined): void {
    const { sw } = this.shared;
    const nread = sw.streamBaseState[sw.kReadBytesOrError]!;
    if (nread === 0) return;
    if (nread < 0 || !arrayBuffer) {
      // Before any byte: nothing to answer (a partial packet was upgraded at once). Once the
      // request started: a FIN only half-closes (the reply still goes out), an error means it
      // is gone.
      if (this.phase !== Phase.Head && nread === UV_EOF) this.handle.readStop();
      else this.closeHandle();
      return;
    }
    this.onBytes(Buffer.from(arrayBuffer, sw.streamBaseState[sw.kArrayBufferOffset]!, nread));
  }

  /** `borrowed`: a view of the shared read buffer, copied if the bytes are kept. */
  onBytes(chunk: Buffer, borrowed = false): void {
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
    const { context } = this.shared;
    const { options } = context;
    let request: UwsgiRequest;
    let rest: Uint8Array;
    try {
      const result = new PacketReader({ bufferSize: options.bufferSize }).push(chunk);
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
    if (!ok || this.writesPending === 0) this.closeHandle();
    else if (this.phase === Phase.Request) this.phase = Phase.Closing;
  }

  /** False when libuv had to queue the bytes (the peer's window is full): await waitDrain(). */
  write(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    this.countWrite();
    return this.sent(writeOut(this.shared.sw, this.handle, bytes, onFastWritten), bytes.length);
  }

  /** One vectored write of the caller's buffers (no copy into one); same answer as write(). */
  writev(chunks: readonly Uint8Array[]): boolean {
    if (this.closed) return false;
    this.countWrite();
    let length = 0;
    for (let i = 0; i < chunks.length; i++) length += chunks[i]!.length;
    return this.sent(writeOut(this.shared.sw, this.handle, chunks, onFastWritten), length);
  }

  /**
   * A response known whole is one write followed by the close, which sends what Nagle held back;
   * a streamed one writes again: TCP_NODELAY from its second write (a setsockopt only then).
   */
  countWrite(): void {
    if (++this.writes === 2) noDelay(this.handle);
  }

  /** After a write of `length` bytes was dispatched: true when the kernel took it all. */
  sent(result: WriteResult, length: number): boolean {
    if (result === WriteResult.Done) return true;
    if (result === WriteResult.Failed) {
      this.closeHandle();
      return false;
    }
    this.writesPending++;
    // The peer reads slowly or not at all: the sweeper holds it to socket-timeout.
    this.writeQueued = this.handle.writeQueueSize ?? length;
    this.writeProgressAt = Date.now();
    startSweeper(this.shared);
    return false;
  }

  /** An async write completed (libuv's oncomplete). */
  written(status: number): void {
    this.writesPending--;
    if (status < 0) {
      this.closeHandle();
      return;
    }
    if (this.writesPending > 0) return;
    this.writeQueued = 0;
    if (this.phase === Phase.Closing) {
      this.closeHandle();
      return;
    }
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    waiter?.(true);
  }

  waitDrain(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.writesPending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.drainWaiter = resolve;
    });
  }

  closeHandle(): void {
    if (this.phase === Phase.Gone) return; // closed already, or a net.Socket's now
    this.phase = Phase.Gone;
    this.closed = true;
    const tracked = this.tracked;
    this.release();
    if (tracked) this.handle.onread = ignoreRead; // must stay a function
    this.handle.close();
    if (tracked) {
      const { internals } = this.shared;
      internals._connections--;
      internals._emitCloseIfDrained();
    }
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    waiter?.(false);
  }

  release(): void {
    if (!this.tracked) return;
    this.tracked = false;
    this.handle[FAST] = undefined;
    this.shared.live.delete(this);
    this.shared.context.connections?.delete(this);
  }

  /**
   * Before a request started: hands the connection to the listener's regular path as a
   * net.Socket, with the bytes read so far. Returns the socket (undefined if not in that phase).
   */
  upgrade(): Socket | undefined {
    if (this.phase !== Phase.Head) return undefined;
    if (this.borrowed && this.chunks) this.chunks[0] = Buffer.from(this.chunks[0]!);
    this.borrowed = false;
    // The net.Socket takes this connection's place in the server's count (its close decrements).
    this.track();
    this.phase = Phase.Gone;
    this.release();
    const { handle, shared } = this;
    handle.readStop();
    const socket = socketForHandle(handle, shared.server);
    const replay = this.chunks ?? [];
    this.chunks = undefined;
    shared.fallback(socket, replay);
    return socket;
  }
}
