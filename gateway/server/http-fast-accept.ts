/**
 * The fast path for plain HTTP listeners (--http-socket, --http): connections served on their
 * libuv handle with our own codec (gateway/http/), keep-alive and pipelining included, without a
 * net.Socket, an IncomingMessage or a ServerResponse per request (profiled: those cost more CPU
 * than our own per-request work).
 *
 * What the codec refuses is answered here with node:http's bytes, warning and request line
 * (http-unread-refusal.ts): malformed bytes 400, a head past buffer-size 431 (counted as
 * node:http counts it), a bad, missing or second Host 400, a body over limit-post 413
 * (request-cycle.ts). A connection is handed to node:http (http-server.ts), with
 * every byte not yet served replayed, at a request boundary as soon as a request is valid but
 * not simple: a body that does not come whole soon, a chunked upload, Expect, Upgrade, a method
 * or target the codec leaves to a fuller parser. node:http then serves or answers it as it
 * always did. Responses, streamed ones too, are written here.
 *
 * The handle's bookkeeping (accept check, read at accept, connection count, write queue and its
 * timeout, close, hand-over) is handle-transport.ts's; this file is HTTP/1.1 on it. Installed only
 * when node-internals.ts's probe found the internals it needs (and not under
 * --disable-fast-transport); otherwise every connection takes node:http.
 */
import type { Server, Socket } from 'node:net';
import type { ChunkSource, Environ, TsgiError } from '../../src/index.js';
import { parseRequestHead, type RequestHead } from '../http/index.js';
import { createKeyInterner, type Latin1Decoder } from '../uwsgi/index.js';
import type { ConnectionContext } from './connection-context.js';
import {
  HandleConnection,
  type HandleListener,
  installHandleTransport,
  UV_EOF,
} from './handle-transport.js';
import { buildEnviron, type ConnectionAddresses } from './http-environ.js';
import { type HttpResponseTarget, httpResponse } from './http-response.js';
import type { HttpHandler } from './http-server.js';
import { refuseUnread, type UnreadStatus } from './http-unread-refusal.js';
import { handleAddresses, noDelay, type StreamHandle } from './node-internals.js';
import { type Exchange, refuseRequest, serveRequest } from './request-cycle.js';
import type { FastAccept } from './uwsgi-fast-accept.js';

/** Hands a socket node:http will serve to the listener's bookkeeping (tracking, no-delay). */
export type AdoptSocket = (socket: Socket) => void;

/**
 * A request (head and body) up to this size is read whole here, over as many reads as it takes;
 * a larger one, or one whose body stalls for BODY_WAIT_MS, is handed to node:http.
 */
const WHOLE_REQUEST_MAX = 256 * 1024;
const BODY_WAIT_MS = 1000;
/** Bytes a client may send ahead while a response is under way before reading pauses. */
const MAX_AHEAD = 65536;
/** Header lines read here; a request with more goes to node:http. */
const MAX_HEADERS = 100;

/** Requests served on the fast path and connections handed to node:http, in this process. */
export const fastHttpCounts = { served: 0, handedOver: 0 };

export interface HttpFastAccept extends FastAccept {
  /** Closes the connections idle between requests, and keeps none open from now on (a stop). */
  closeIdle(): void;
}

type Latin1Slicer = Buffer & { latin1Slice(start: number, end: number): string };

/** Node's native latin-1 decode (what toString('latin1') ends in); every byte read here is a Buffer's. */
const decodeLatin1: Latin1Decoder = (bytes, start, end) =>
  start === end ? '' : (bytes as Latin1Slicer).latin1Slice(start, end);

/** What every HTTP connection of one listener shares. */
interface Shared {
  handler: HttpHandler;
  adopt: AdoptSocket;
  limits: { maxHeadBytes: number; maxHeaders: number };
  decodeName: Latin1Decoder;
  keepAliveSeconds: number;
  /** A stop began: no connection stays open after its response. */
  stopping: boolean;
}

/**
 * Serves the listener's connections on the fast path where it can. Returns undefined (and
 * changes nothing) when the internals it needs are missing.
 */
export function installHttpFastAccept(
  server: Server,
  context: ConnectionContext,
  handler: HttpHandler,
  adopt: AdoptSocket,
): HttpFastAccept | undefined {
  const { options } = context;
  const shared: Shared = {
    handler,
    adopt,
    limits: { maxHeadBytes: options.bufferSize, maxHeaders: MAX_HEADERS },
    decodeName: createKeyInterner(decodeLatin1),
    keepAliveSeconds: Math.floor(options.httpKeepaliveMs / 1000),
    stopping: false,
  };
  const { socketTimeoutMs, httpKeepaliveMs } = options;
  const listener = installHandleTransport(server, context, {
    sweepEveryMs: Math.min(500, socketTimeoutMs, httpKeepaliveMs || 500),
    admit: () => !shared.stopping,
    accept: (handle, listener) => new FastHttpConnection(handle, listener, shared),
  });
  if (!listener) return undefined;
  return {
    destroyAll() {
      for (const c of listener.live) c.closeHandle();
    },
    closeIdle() {
      shared.stopping = true;
      for (const c of listener.live) if (c.idle()) c.closeHandle();
    },
  };
}

/** A body read whole with its head, as wsgi.input's source: one chunk, then the end. */
class BufferedBody implements ChunkSource {
  #bytes: Uint8Array | null;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }
  pull(): Promise<Uint8Array | null> {
    const bytes = this.#bytes;
    this.#bytes = null;
    return Promise.resolve(bytes);
  }
}

enum Phase {
  /** Between requests (or before the first). */
  Idle = 0,
  /** The app runs, or its response is being written. */
  Request = 1,
}

/** What to do once every write has left. */
enum AfterWrites {
  Nothing = 0,
  NextRequest = 1,
  Close = 2,
}

class FastHttpConnection extends HandleConnection implements Exchange, HttpResponseTarget {
  readonly shared: Shared;
  phase = Phase.Idle;
  /** Bytes read and not served yet. */
  pending: Buffer | undefined;
  /** `pending` is still a view of the listener's read buffer (during the read at accept). */
  borrowed = false;
  /** Bytes arrived while a response was under way (malformed ones then close without a word). */
  ahead = false;
  peerEnded = false;
  /** When the head of a request whose body is still coming was read (0: none such). */
  bodySince = 0;
  served = 0;
  idleSince = Date.now();
  #addresses: ConnectionAddresses | undefined;
  afterWrites = AfterWrites.Nothing;
  stepping = false;
  again = false;
  // The request being answered (HttpResponseTarget).
  minor: 0 | 1 = 1;
  keepAliveWanted = false;
  keepAlive = false;
  startedAt = 0;

  constructor(handle: StreamHandle, listener: HandleListener, shared: Shared) {
    super(handle, listener);
    this.shared = shared;
    noDelay(handle); // as node:http sets on every connection: keep-alive and streamed responses
  }

  /** For the connection cap and a stop: no request under way. */
  idle(): boolean {
    return (
      !this.gone && this.phase === Phase.Idle && this.pending === undefined && this.inFlight === 0
    );
  }

  /**
   * A new connection silent for socket-timeout (408, as node:http answers), a body that stalls
   * (node:http reads the rest, with its own timeouts), a kept-alive one idle for http-keepalive
   * (closed a second later than advertised, so a client reusing it just in time does not race
   * the close).
   */
  sweepWaiting(now: number): boolean {
    if (this.phase !== Phase.Idle) return false;
    const { options } = this.listener.context;
    if (this.bodySince > 0) {
      if (now - this.bodySince < BODY_WAIT_MS) return true;
      this.handOver();
      return false;
    }
    if (this.served === 0) {
      if (now - this.idleSince < options.socketTimeoutMs) return true;
      this.refuseUnread(408, 'socket-timeout');
      return false;
    }
    if (now - this.idleSince < options.httpKeepaliveMs + 1000) return true;
    this.closeHandle();
    return false;
  }

  /**
   * While a request is served a FIN only half-closes (the response still goes out, then the
   * connection closes); otherwise there is nothing left to answer.
   */
  protected onEnd(status: number): void {
    if (this.phase === Phase.Request && status === UV_EOF) {
      this.peerEnded = true;
      this.stopReading();
    } else if (this.bodySince > 0 && status === UV_EOF) {
      this.handOver(); // a body cut short: node:http answers it as it always did
    } else {
      this.closeHandle();
    }
  }

  onBytes(chunk: Buffer, borrowed: boolean): void {
    const pending = this.pending;
    this.pending = pending ? Buffer.concat([pending, chunk]) : chunk;
    if (this.phase !== Phase.Idle || this.inFlight > 0) {
      this.ahead = true;
      if (this.pending.length > MAX_AHEAD) this.stopReading();
      if (borrowed && this.pending === chunk) this.pending = Buffer.from(chunk);
      return;
    }
    this.borrowed = borrowed && this.pending === chunk;
    this.next();
    // What is left of the read buffer's bytes is kept past this read: copied.
    if (this.borrowed && this.pending) this.pending = Buffer.from(this.pending);
    this.borrowed = false;
  }

  /**
   * The head is in, its body not yet all (a 64 KB POST spans reads): keep reading rather than
   * hand a request that is about to be whole to node:http. The sweeper hands it over if the body
   * stalls (node:http then answers it with its own body timeout, as before).
   */
  awaitBody(): void {
    if (this.bodySince === 0) {
      this.bodySince = Date.now();
      this.watch();
    }
    this.startReading();
  }

  /**
   * Serves the requests waiting in `pending`. A response written in the same turn (a sync app)
   * comes back here through responded(): that turn loops instead of recursing, so a client
   * pipelining a thousand requests cannot grow the stack.
   */
  next(): void {
    if (this.stepping) {
      this.again = true;
      return;
    }
    this.stepping = true;
    do {
      this.again = false;
      this.step();
    } while (this.again && !this.gone && this.phase === Phase.Idle);
    this.stepping = false;
  }

  /** Serves the next request in `pending` if it is whole and simple, else hands over. */
  step(): void {
    const pending = this.pending;
    if (pending === undefined) {
      // The client half-closed while its last request was answered: nothing more will come.
      if (this.peerEnded) this.closeHandle();
      else this.startReading();
      return;
    }
    const { limits, decodeName } = this.shared;
    const { context } = this.listener;
    const r = parseRequestHead(pending, 0, pending.length, limits, decodeLatin1, decodeName);
    if (r.kind === 'request') {
      const head = r.head;
      const length = head.contentLength > 0 ? head.contentLength : 0;
      const bodyEnd = r.end + length;
      const limitPost = context.options.limitPost;
      const simple = !head.chunked && !head.upgrade && !head.expectContinue;
      if (simple && limitPost > 0 && length > limitPost) {
        // Refused before its body is read (serveRequest's 413), as node:http does.
        this.bodySince = 0;
        this.pending = undefined;
        this.begin(head, undefined, length);
        return;
      }
      if (simple && bodyEnd > pending.length && bodyEnd <= WHOLE_REQUEST_MAX && !this.peerEnded) {
        this.awaitBody();
        return;
      }
      this.bodySince = 0;
      if (simple && bodyEnd <= pending.length) {
        this.pending = bodyEnd < pending.length ? pending.subarray(bodyEnd) : undefined;
        // Bytes behind this request were sent before its answer, as node:http sees them too.
        this.ahead = this.pending !== undefined;
        let body: Buffer | undefined;
        if (length > 0) {
          body = pending.subarray(r.end, bodyEnd);
          if (this.borrowed) body = Buffer.from(body); // the app may keep it
        }
        this.begin(head, body, length);
        return;
      }
    } else if (r.kind === 'error') {
      if (this.ahead) {
        // Garbage sent behind a request while it was answered: that response went out whole;
        // an error response now would read as the answer to a request never made. Close.
        context.log.warn(`malformed HTTP request (${r.error.code}) while answering: closing`);
        this.closeHandle();
        return;
      }
      // A head past buffer-size is counted as node:http counts it (gateway/http/): the same 431.
      this.refuseUnread(r.error.status === 431 ? 431 : 400, r.error.message);
      return;
    }
    this.handOver();
  }

  /** A request the codec could not read: node:http's answer, warning and request line. */
  refuseUnread(status: UnreadStatus, reason: string): void {
    this.pending = undefined;
    this.stopReading();
    refuseUnread(this.listener.context, status, this.remoteAddress, reason, (answer) => {
      this.write(Buffer.from(answer, 'latin1'));
    });
    this.closeAfterWrites();
  }

  /**
   * A request read but refused before the app (a bad Host, a body over limit-post): the cycle
   * answers it, as node:http does, and the connection closes after.
   */
  refuse(head: RequestHead, error: TsgiError): void {
    this.pending = undefined;
    this.phase = Phase.Request;
    this.minor = head.minor;
    this.keepAliveWanted = false;
    this.startedAt = this.listener.context.log.requests !== false ? performance.now() : 0;
    refuseRequest(this.listener.context, this, error, head.method, head.target);
  }

  get remoteAddress(): string | undefined {
    return this.addresses().remoteAddress;
  }

  addresses(): ConnectionAddresses {
    this.#addresses ??= handleAddresses(this.handle);
    return this.#addresses;
  }

  /** Builds the environ (a coded 400 refuses the request) and serves the request. */
  begin(head: RequestHead, body: Buffer | undefined, declaredLength: number): void {
    const { context } = this.listener;
    let environ: Environ;
    try {
      environ = buildEnviron(
        {
          method: head.method,
          url: head.target,
          httpVersion: head.minor === 1 ? '1.1' : '1.0',
          rawHeaders: head.headers,
          socket: this.addresses(),
        },
        context,
        false,
      );
    } catch (error) {
      this.refuse(head, error as TsgiError);
      return;
    }
    this.phase = Phase.Request;
    this.minor = head.minor;
    this.keepAliveWanted =
      head.keepAlive &&
      context.options.httpKeepaliveMs > 0 &&
      !this.peerEnded &&
      !this.shared.stopping &&
      (body?.length ?? 0) === declaredLength;
    this.keepAlive = false;
    this.startedAt = context.log.requests !== false ? performance.now() : 0;
    serveRequest(context, this, environ, declaredLength, body ? new BufferedBody(body) : undefined);
  }

  // Exchange (request-cycle.ts)
  get codec(): typeof httpResponse {
    return httpResponse;
  }

  get keepAliveSeconds(): number {
    return this.shared.keepAliveSeconds;
  }

  /** The response is out (or cut short): the next request, or close. */
  responded(ok: boolean): void {
    this.served++;
    fastHttpCounts.served++;
    if (this.gone) return;
    if (!ok) {
      this.closeHandle();
    } else if (!this.keepAlive) {
      this.closeAfterWrites();
    } else if (this.inFlight > 0) {
      this.afterWrites = AfterWrites.NextRequest;
    } else {
      this.goIdle();
    }
  }

  goIdle(): void {
    this.phase = Phase.Idle;
    this.idleSince = Date.now();
    this.watch();
    this.next();
  }

  closeAfterWrites(): void {
    if (this.inFlight > 0) this.afterWrites = AfterWrites.Close;
    else this.closeHandle();
  }

  /** False when libuv had to queue the bytes (the peer reads slowly): await waitDrain(). */
  write(bytes: Uint8Array): boolean {
    return this.send(bytes);
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    return this.send(chunks);
  }

  protected drained(): void {
    const after = this.afterWrites;
    this.afterWrites = AfterWrites.Nothing;
    if (after === AfterWrites.Close) this.closeHandle();
    else if (after === AfterWrites.NextRequest) this.goIdle();
  }

  override closeHandle(): void {
    this.pending = undefined;
    super.closeHandle();
  }

  /**
   * Hands the connection to node:http at a request boundary, replaying the bytes not served.
   * Writes still queued in libuv go out first (the handle keeps their order).
   */
  handOver(): void {
    if (this.gone) return;
    let pending = this.pending;
    if (pending && this.borrowed) pending = Buffer.from(pending);
    this.pending = undefined;
    fastHttpCounts.handedOver++;
    const socket = this.toSocket();
    this.shared.adopt(socket);
    this.shared.handler.handle(socket);
    if (pending) socket.unshift(pending);
  }
}
