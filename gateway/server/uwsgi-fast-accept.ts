/**
 * The fast accept path for plain uwsgi listeners. nginx opens a new connection for every request
 * and sends the whole packet in one write, so most connections are: one read, one app call, one
 * write, close. A net.Socket (a Duplex stream with two stream states, an EventEmitter, timers)
 * costs more CPU than all of our own per-request work (profiled: ~a third of the process), so
 * such a connection is served on its libuv handle directly, and becomes a net.Socket served by
 * uwsgi-connection.ts (with the bytes already read replayed into it) as soon as anything is
 * not that simple: a packet split over reads, a request body, a modifier other than HTTP, a bad
 * packet, a streamed response, silence past socket-timeout.
 *
 * It relies on Node internals that have been stable since Node 12 (the stream handle's onread /
 * writeBuffer / close, stream_wrap's shared state, net.Server's _handle and _connections) and is
 * only installed when node-internals.ts's probe found every one of them; otherwise every
 * connection takes the regular path.
 */
import type { Server, Socket } from 'node:net';
import { createInput, errorResponse, runApp } from '../../src/index.js';
import { gatewayError } from '../errors.js';
import { PacketReader } from '../uwsgi/index.js';
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
import { type Outcome, requestDone } from './request-done.js';
import {
  type ConnectionContext,
  handleUwsgiConnection,
  requestFromPacket,
  respondOnSocket,
} from './uwsgi-connection.js';
import { type ResponseTarget, writeWhole } from './uwsgi-response.js';

const FAST = Symbol('tsgi.fastConnection');
/** A handle this path serves, pointing back at its connection. */
type FastHandle = StreamHandle & { [FAST]?: FastConnection };
/** libuv's end-of-stream read status. */
const UV_EOF = -4095;
/** As much as libuv reads at once; a packet with a larger body is read on through libuv. */
const READ_BUFFER_SIZE = 65536;
/** Hands an upgraded socket to the listener's bookkeeping (tracking for close, no-delay). */
export type AdoptSocket = (socket: Socket) => void;

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
  adopt: AdoptSocket,
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
    adopt,
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
    // Usually nginx's packet is there already: served now, the handle never reads through libuv.
    const n = readNow(handle, shared.readBuffer);
    if (n > 0) connection.onBytes(shared.readBuffer.subarray(0, n), true);
    else if (n === 0) connection.closeHandle(); // closed before sending a byte
    if (connection.phase !== Phase.Gone && handle.readStart() !== 0) connection.upgrade();
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
  adopt: AdoptSocket;
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

function onFastWritten(this: WriteReq): void {
  (this.handle as FastHandle)[FAST]?.closeHandle();
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
  /** The app runs. */
  Request = 1,
  /** Closed, or handed to a net.Socket. */
  Gone = 2,
}

class FastConnection implements ResponseTarget {
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

  constructor(handle: FastHandle, shared: Shared) {
    this.handle = handle;
    this.shared = shared;
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
      // Before any byte: nothing to answer (a partial packet was upgraded at once). While the
      // app runs: a FIN only half-closes (the reply still goes out), an error means it is gone.
      if (this.phase === Phase.Request && nread === UV_EOF) this.handle.readStop();
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

  /** The first read: serve it here if it is a whole body-less HTTP request, else upgrade. */
  start(chunk: Buffer): void {
    const { context } = this.shared;
    const { options, log } = context;
    let request: ReturnType<typeof requestFromPacket>;
    try {
      const result = new PacketReader({ bufferSize: options.bufferSize }).push(chunk);
      // Split packet, bytes after it (a body), ping/echo/signal: the regular path.
      if (
        !result ||
        result.rest.length > 0 ||
        !options.httpModifiers.has(result.packet.modifier1)
      ) {
        this.upgrade();
        return;
      }
      request = requestFromPacket(result.packet, context);
    } catch {
      // A bad packet: the regular path reads it again and answers it (400/431 and a log line).
      this.upgrade();
      return;
    }
    if (request.contentLength > 0) {
      this.upgrade();
      return;
    }
    this.phase = Phase.Request;
    this.chunks = undefined;
    if (log.requests !== false) this.startedAt = performance.now();
    const { environ } = request;
    environ['wsgi.input'] = createInput(undefined);
    const method = environ.REQUEST_METHOD;
    const uri = (environ.REQUEST_URI as string | undefined) ?? environ.PATH_INFO;
    const remote = environ.REMOTE_ADDR;
    runApp(context.app, environ).then(
      (response) => this.respond({ response, method, uri, remote, environ }),
      (error) => this.respond({ response: errorResponse(error), method, uri, remote, environ }),
    );
  }

  respond(request: Parameters<typeof respondOnSocket>[2]): void {
    const { response, method, uri, remote, environ } = request;
    let { status } = response;
    let bytes = 0;
    let outcome: Outcome;
    if (this.closed) {
      outcome = 'client gone';
    } else {
      const whole = writeWhole(this, response, method === 'HEAD');
      if (!whole) {
        // Streamed: the regular writer, with backpressure and socket-timeout on writes.
        const socket = this.upgrade();
        if (socket) respondOnSocket(socket, this.shared.context, request, this.startedAt);
        return;
      }
      ({ status, bytes } = whole);
    }
    void response.close();
    const { context } = this.shared;
    requestDone(
      context,
      remote,
      method,
      uri,
      status,
      bytes,
      this.startedAt,
      outcome,
      true,
      environ,
    );
  }

  // ResponseTarget (writeWhole writes once, then the handle closes when the bytes have left).
  write(bytes: Uint8Array): boolean {
    return this.sent(writeOut(this.shared.sw, this.handle, bytes, onFastWritten), bytes.length);
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    let length = 0;
    for (let i = 0; i < chunks.length; i++) length += chunks[i]!.length;
    return this.sent(writeOut(this.shared.sw, this.handle, chunks, onFastWritten), length);
  }

  /** After a write of `length` bytes was dispatched: close now, or once libuv has sent the rest. */
  sent(result: WriteResult, length: number): boolean {
    if (result === WriteResult.Failed) {
      this.closeHandle();
      return false;
    }
    if (result === WriteResult.Queued) {
      // oncomplete closes. The peer reads slowly or not at all: the sweeper holds it to
      // socket-timeout.
      this.writeQueued = this.handle.writeQueueSize ?? length;
      this.writeProgressAt = Date.now();
      startSweeper(this.shared);
    } else {
      this.closeHandle();
    }
    return true;
  }

  waitDrain(): Promise<boolean> {
    return Promise.resolve(!this.closed);
  }

  closeHandle(): void {
    if (this.phase === Phase.Gone) return; // closed already, or a net.Socket's now
    this.phase = Phase.Gone;
    this.closed = true;
    this.release();
    this.handle.onread = ignoreRead; // must stay a function
    this.handle.close();
    const { internals } = this.shared;
    internals._connections--;
    internals._emitCloseIfDrained();
  }

  release(): void {
    this.handle[FAST] = undefined;
    this.shared.live.delete(this);
    this.shared.context.connections?.delete(this);
  }

  /**
   * Hands the connection to a net.Socket served by uwsgi-connection.ts, replaying what was read
   * unless a response is already under way. Returns the socket (undefined if already gone).
   */
  upgrade(): Socket | undefined {
    if (this.phase === Phase.Gone) return undefined;
    const replaying = this.phase === Phase.Head;
    if (this.borrowed && this.chunks) this.chunks[0] = Buffer.from(this.chunks[0]!);
    this.borrowed = false;
    this.phase = Phase.Gone;
    this.release();
    const { handle, shared } = this;
    handle.readStop();
    const socket = socketForHandle(handle, shared.server);
    shared.adopt(socket);
    if (replaying) handleUwsgiConnection(socket, shared.context, this.chunks ?? []);
    this.chunks = undefined;
    return socket;
  }
}
