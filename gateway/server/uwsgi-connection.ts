/**
 * One uwsgi connection on a net.Socket (or TLS): read the packet, dispatch on modifier1 (ping,
 * echo and signal are answered here), hand an HTTP request to request-cycle.ts with this socket
 * as its transport, then drain what is left of the request body and close. The fast accept path
 * serves most plain connections on their libuv handle; this one takes the rest (bodies, split
 * packets, TLS, bad packets) and every connection when that path is off. One timer and one
 * listener set per connection, one write when it can.
 *
 * Reusable as is by a worker process: it needs a socket and a ConnectionContext, nothing else.
 */
import type { Socket } from 'node:net';
import type { TsgiError } from '../../src/index.js';
import { gatewayError } from '../errors.js';
import { limitError, limitMessage } from '../limits.js';
import { MODIFIER, PacketReader, type ReadResult, type UwsgiPacket } from '../uwsgi/index.js';
import type { ConnectionContext } from './connection-context.js';
import { unsentBytes } from './node-internals.js';
import { type Exchange, refuseRequest, serveRequest } from './request-cycle.js';
import { SocketBody } from './socket-body.js';
import type { UwsgiRequest } from './uwsgi-environ.js';
import { requestFromPacket } from './uwsgi-request.js';
import { uwsgiResponse } from './uwsgi-response.js';
import { writeCorked } from './write-batch.js';
import { guardWrites } from './write-guard.js';

const PING_REPLY = Buffer.from([0x64, 0x00, 0x00, 0x01]);
const SIGNAL_DELIVERED = Buffer.from([0xff, 0x00, 0x00, 0x01]);
const SIGNAL_FAILED = Buffer.from([0xff, 0x00, 0x00, 0x00]);

enum Phase {
  /** Reading header + vars. */
  Head = 0,
  /** The app runs; body bytes (if any) feed wsgi.input. */
  Request = 1,
  /** Response written; discarding the unread body until it is all in or the peer closes. */
  Drain = 2,
  Done = 3,
}

/**
 * Closes once everything written has left. When the kernel took it all already (the usual small
 * response), close() right away: waiting for the peer's FIN after a shutdown costs an extra
 * event-loop turn per connection (measured: ~30% fewer requests/s behind nginx). Only called
 * when no request bytes are left unread, so close() sends FIN, not RST. TLS gets a proper
 * close_notify through end().
 */
function closeSocket(socket: Socket, context: ConnectionContext): void {
  if (socket.destroyed) return;
  if (socket.writableLength === 0 && !(socket as { encrypted?: boolean }).encrypted) {
    socket.destroy();
    return;
  }
  socket.end();
  socket.once('finish', () => socket.destroy());
  const { options, log } = context;
  guardWrites(socket, options, log);
}

const CONNECTION = Symbol('tsgi.uwsgiConnection');
type ConnSocket = Socket & { [CONNECTION]: UwsgiConnection };

function onSocketData(this: ConnSocket, chunk: Buffer): void {
  this[CONNECTION].onData(chunk);
}
function onSocketEnd(this: ConnSocket): void {
  this[CONNECTION].onEnd();
}
function onSocketError(): void {
  // ECONNRESET/EPIPE from a peer that went away; 'close' follows and cleans up.
}
function onSocketClose(this: ConnSocket): void {
  this[CONNECTION].onClose();
}
function onSocketTimeout(this: ConnSocket): void {
  this[CONNECTION].onTimeout();
}

/** Serves a connection; `replay` are bytes already read off it (by the fast accept path). */
export function handleUwsgiConnection(
  socket: Socket,
  context: ConnectionContext,
  replay?: readonly Buffer[],
): void {
  const connection = new UwsgiConnection(socket, context);
  if (replay) for (const chunk of replay) if (!connection.closed) connection.onData(chunk);
}

class UwsgiConnection implements Exchange {
  readonly socket: Socket;
  readonly context: ConnectionContext;
  /** For the request log line only (0 when request lines are off: one clock read saved). */
  readonly startedAt: number;
  phase = Phase.Head;
  reader: PacketReader | undefined;
  body: SocketBody | undefined;
  closed = false;
  peerEnded = false;
  drainWaiter: ((ok: boolean) => void) | undefined;

  constructor(socket: Socket, context: ConnectionContext) {
    this.socket = socket;
    this.context = context;
    this.startedAt = context.log.requests === false ? 0 : performance.now();
    // Shared handler functions (no closures per connection): this is the per-connection hot path.
    (socket as ConnSocket)[CONNECTION] = this;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    socket.on('timeout', onSocketTimeout);
    socket.setTimeout(context.options.socketTimeoutMs);
    context.connections?.add(this);
  }

  /** For the connection cap: nothing of a request read yet. */
  idle(): boolean {
    return this.phase === Phase.Head && !this.reader?.started;
  }

  evict(): void {
    this.socket.destroy();
  }

  onData(chunk: Buffer): void {
    if (this.phase === Phase.Head) {
      this.reader ??= new PacketReader({ bufferSize: this.context.options.bufferSize });
      let result: ReadResult | undefined;
      try {
        result = this.reader.push(chunk);
      } catch (error) {
        this.refuse(error as TsgiError);
        return;
      }
      if (result) this.dispatch(result);
      return;
    }
    const body = this.body;
    if (body) {
      body.push(chunk);
      if (this.phase === Phase.Drain && body.remaining === 0) this.close();
    }
    // Bytes past the body with no body expected are peer garbage; nothing reads them.
  }

  onEnd(): void {
    this.peerEnded = true;
    switch (this.phase) {
      case Phase.Head:
        // A half-closed peer can still read: answer 400 rather than close silently.
        if (this.reader?.started) {
          this.refuse(gatewayError('ERR_UWSGI_TRUNCATED', 'the peer closed mid-packet'));
        } else this.socket.destroy();
        return;
      case Phase.Request:
        if (this.body && this.body.remaining > 0) {
          this.body.fail(
            gatewayError('ERR_UWSGI_BODY_TRUNCATED', `${this.body.remaining} bytes missing`),
          );
        }
        return;
      case Phase.Drain:
        this.close();
        return;
      default:
        return;
    }
  }

  onClose(): void {
    this.context.connections?.delete(this);
    this.closed = true;
    this.phase = Phase.Done;
    if (this.body && this.body.remaining > 0) {
      this.body.fail(gatewayError('ERR_UWSGI_BODY_TRUNCATED', 'the connection closed'));
    }
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    waiter?.(false);
  }

  onTimeout(): void {
    const { log, options } = this.context;
    const limit = `${options.socketTimeout} s (socket-timeout)`;
    if (this.phase === Phase.Head) {
      if (this.reader?.started) {
        this.refuse(limitError('uwsgiVarsTimeout', options.socketTimeout));
      } else {
        log.warn(`closed a connection that sent nothing in ${limit}`);
        this.socket.destroy();
      }
      return;
    }
    if (this.drainWaiter) {
      const detail = `${unsentBytes(this.socket)} bytes unread`;
      log.warn(limitMessage('writeTimeout', options.socketTimeout, detail));
      this.socket.destroy();
      return;
    }
    if (this.phase === Phase.Drain) {
      const detail = 'while draining the unread body';
      log.warn(limitMessage('bodyTimeout', options.socketTimeout, detail));
      this.socket.destroy();
      return;
    }
    if (this.body?.waitingForData) {
      const error = limitError('bodyTimeout', options.socketTimeout);
      log.warn(error.message);
      this.body.fail(error);
    }
    // Otherwise the app is just busy: socket-timeout bounds waits for the peer, not app time.
  }

  dispatch({ packet, rest }: ReadResult): void {
    this.reader = undefined;
    const { options, log, signals } = this.context;
    const m1 = packet.modifier1;
    if (options.httpModifiers.has(m1)) {
      this.startRequest(packet, rest);
      return;
    }
    this.phase = Phase.Request;
    switch (m1) {
      case MODIFIER.PING:
        this.replyAndClose(PING_REPLY);
        return;
      case MODIFIER.ECHO:
        this.replyAndClose(packet.block);
        return;
      case MODIFIER.SIGNAL: {
        const signal = packet.modifier2;
        const delivered = signals.deliver(signal, (error) =>
          log.error(`uwsgi signal ${signal} handler failed: ${(error as Error)?.stack ?? error}`),
        );
        log.info(`uwsgi signal ${signal} ${delivered ? 'queued' : 'has no handler'}`);
        this.replyAndClose(delivered ? SIGNAL_DELIVERED : SIGNAL_FAILED);
        return;
      }
      default:
        log.warn(
          gatewayError(
            'ERR_UWSGI_UNKNOWN_MODIFIER',
            `modifier1 ${m1}, modifier2 ${packet.modifier2}`,
          ).message,
        );
        this.phase = Phase.Done;
        closeSocket(this.socket, this.context);
    }
  }

  startRequest(packet: UwsgiPacket, rest: Uint8Array): void {
    let request: UwsgiRequest;
    try {
      request = requestFromPacket(packet, this.context);
    } catch (error) {
      this.refuse(error as TsgiError);
      return;
    }
    const { environ, contentLength } = request;
    this.phase = Phase.Request;
    if (contentLength > 0) {
      this.body = new SocketBody(contentLength, this);
      this.body.push(rest);
    }
    serveRequest(this.context, this, environ, contentLength, this.body);
  }

  /** Answers a protocol error with its HTTP status (400/408/431) through the request cycle. */
  refuse(error: TsgiError): void {
    this.reader = undefined;
    if (error.status !== undefined && !this.closed) {
      this.phase = Phase.Request;
      // Unknown body length (the vars were unreadable): discard until the peer closes.
      this.body ??= new SocketBody(Number.POSITIVE_INFINITY, this);
    }
    refuseRequest(this.context, this, error);
  }

  replyAndClose(bytes: Uint8Array): void {
    this.phase = Phase.Done;
    this.socket.write(bytes);
    closeSocket(this.socket, this.context);
  }

  /** Response written: send FIN, drain any unread body, then close. */
  finish(): void {
    if (this.closed) return;
    const body = this.body;
    if (body && body.remaining > 0 && !this.peerEnded) {
      // Closing with unread bytes would make the kernel send RST, and nginx answer 502.
      this.phase = Phase.Drain;
      body.discard();
      this.socket.end();
      this.socket.setTimeout(this.context.options.socketTimeoutMs);
      return;
    }
    this.close();
  }

  close(): void {
    if (this.phase === Phase.Done) return;
    this.phase = Phase.Done;
    closeSocket(this.socket, this.context);
  }

  // Exchange
  get codec(): typeof uwsgiResponse {
    return uwsgiResponse;
  }

  responded(ok: boolean): void {
    if (ok) this.finish();
    else this.socket.destroy();
  }

  write(bytes: Uint8Array): boolean {
    return this.socket.write(bytes);
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    return writeCorked(this.socket, chunks);
  }

  waitDrain(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.socket.setTimeout(this.context.options.socketTimeoutMs);
    return new Promise((resolve) => {
      this.drainWaiter = resolve;
      this.socket.once('drain', () => {
        if (this.drainWaiter === resolve) {
          this.drainWaiter = undefined;
          resolve(true);
        }
      });
    });
  }

  // BodyFlow (for SocketBody)
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  waiting(): void {
    this.socket.setTimeout(this.context.options.socketTimeoutMs);
  }
}
