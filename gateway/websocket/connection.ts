/**
 * An accepted WebSocket on a gateway socket: `TsgiWebSocket` over RFC 6455 frames (frame-codec.ts).
 * Incoming messages queue for the app's `for await` (reading pauses while too many wait unread);
 * `send()` resolves when the socket can take more (backpressure); the server pings every
 * ping interval and drops a peer whose pong is later than the tolerance.
 */
import type { Duplex } from 'node:stream';
import {
  coreError,
  MessageQueue,
  type TsgiWebSocket,
  type WebSocketClose,
} from '../../src/index.js';
import {
  CLOSE_CODE,
  closePayload,
  encodeFrame,
  type FrameEvent,
  FrameReader,
  OPCODE,
} from './frame-codec.js';

export interface WebSocketSettings {
  /** Largest incoming message, bytes (websockets-max-size). */
  maxMessageBytes: number;
  /** Ping interval, ms; 0 = no pings (websockets-ping-freq). */
  pingMs: number;
  /** How late a pong may be, ms (websockets-pong-tolerance). */
  pongToleranceMs: number;
  /** How long to wait for the peer's close frame after ours, ms. */
  closeWaitMs: number;
  warn: (line: string) => void;
}

/** Unread messages at which reading from the socket pauses. */
const PAUSE_AT = 64;
const encoder = new TextEncoder();

export class GatewayWebSocket implements TsgiWebSocket {
  readonly protocol: string;
  readonly closed: Promise<WebSocketClose>;
  /** Message payload bytes sent (for the request log). */
  bytesSent = 0;
  readonly #socket: Duplex;
  readonly #settings: WebSocketSettings;
  readonly #reader: FrameReader;
  readonly #queue = new MessageQueue<string | Uint8Array>();
  #closeSent = false;
  #finished = false;
  #resolveClosed!: (close: WebSocketClose) => void;
  #pingTimer: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;
  #closeTimer: NodeJS.Timeout | undefined;

  constructor(socket: Duplex, head: Uint8Array, protocol: string, settings: WebSocketSettings) {
    this.#socket = socket;
    this.protocol = protocol;
    this.#settings = settings;
    this.#reader = new FrameReader(settings.maxMessageBytes);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#queue.onTake = (size) => {
      if (size < PAUSE_AT / 2 && socket.isPaused()) socket.resume();
    };
    socket.on('data', (bytes: Buffer) => this.#onBytes(bytes));
    socket.on('close', () => this.#finish(CLOSE_CODE.ABNORMAL, ''));
    socket.on('error', () => socket.destroy());
    if (settings.pingMs > 0) {
      this.#pingTimer = setInterval(() => this.#ping(), settings.pingMs);
      this.#pingTimer.unref();
    }
    if (head.length > 0) this.#onBytes(head);
  }

  get open(): boolean {
    return !this.#closeSent && !this.#finished;
  }

  async send(message: string | Uint8Array): Promise<void> {
    if (!this.open) throw coreError('ERR_TSGI_WEBSOCKET_CLOSED');
    const text = typeof message === 'string';
    if (!text && !(message instanceof Uint8Array)) {
      throw new TypeError('send() takes a string or a Uint8Array');
    }
    const payload = text ? encoder.encode(message) : message;
    this.bytesSent += payload.length;
    if (!this.#write(encodeFrame(text ? OPCODE.TEXT : OPCODE.BINARY, payload))) await this.#drain();
  }

  close(code: number = CLOSE_CODE.NORMAL, reason = ''): void {
    if (code !== CLOSE_CODE.NORMAL && (code < 3000 || code > 4999)) {
      throw new RangeError(`close code ${code}: use 1000 or 3000-4999`);
    }
    this.#sendClose(code, reason);
  }

  /** The server's own close (1001 going away, 1002/1007/1009 on a breach, 1011). */
  closeAs(code: number, reason: string): void {
    this.#sendClose(code, reason);
  }

  [Symbol.asyncIterator](): AsyncIterator<string | Uint8Array> {
    return this.#queue[Symbol.asyncIterator]();
  }

  #write(frame: Uint8Array): boolean {
    if (this.#socket.destroyed) return true;
    return this.#socket.write(frame);
  }

  #drain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.on('drain', done);
      this.#socket.on('close', done);
    });
  }

  #onBytes(bytes: Uint8Array): void {
    for (const event of this.#reader.push(bytes)) this.#onEvent(event);
  }

  #onEvent(event: FrameEvent): void {
    switch (event.kind) {
      case 'message':
        if (this.#closeSent) return; // after our close frame, data is discarded (RFC 6455 1.4)
        this.#queue.push(event.data);
        if (this.#queue.size >= PAUSE_AT) this.#socket.pause();
        return;
      case 'ping':
        if (!this.#closeSent) this.#write(encodeFrame(OPCODE.PONG, event.data));
        return;
      case 'pong':
        clearTimeout(this.#pongTimer);
        this.#pongTimer = undefined;
        return;
      case 'close':
        // Answer with the same code (none for 1005), then the server closes the TCP connection.
        this.#sendClose(event.code === CLOSE_CODE.NO_STATUS ? 0 : event.code, '');
        this.#socket.end();
        this.#finish(event.code, event.reason);
        return;
      case 'error':
        this.#settings.warn(`websocket closed with ${event.code}: ${event.reason}`);
        this.#sendClose(event.code, event.reason);
        this.#socket.end();
        this.#finish(event.code, event.reason);
        return;
    }
  }

  #sendClose(code: number, reason: string): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    clearInterval(this.#pingTimer);
    this.#write(
      encodeFrame(OPCODE.CLOSE, code === 0 ? new Uint8Array(0) : closePayload(code, reason)),
    );
    this.#queue.end(); // iteration ends at close
    if (!this.#finished) {
      // The peer has closeWaitMs to answer with its close frame; then the connection is cut.
      this.#closeTimer = setTimeout(() => {
        this.#socket.destroy();
        this.#finish(CLOSE_CODE.ABNORMAL, ''); // the closing handshake never completed
      }, this.#settings.closeWaitMs);
      this.#closeTimer.unref();
    }
  }

  #ping(): void {
    if (!this.open || this.#pongTimer) return;
    this.#write(encodeFrame(OPCODE.PING, new Uint8Array(0)));
    this.#pongTimer = setTimeout(() => {
      this.#settings.warn(
        `websocket peer sent no pong within ${this.#settings.pongToleranceMs / 1000} s (websockets-pong-tolerance): closed`,
      );
      this.#socket.destroy();
      this.#finish(CLOSE_CODE.ABNORMAL, 'no pong');
    }, this.#settings.pongToleranceMs);
    this.#pongTimer.unref();
  }

  #finish(code: number, reason: string): void {
    if (this.#finished) return;
    this.#finished = true;
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    clearTimeout(this.#closeTimer);
    this.#queue.end();
    this.#resolveClosed({ code, reason });
  }
}
