/**
 * `tsgi.websocket` on Workers: accept() makes a WebSocketPair, keeps the server end and hands the
 * client end to the 101 Response. toWorker answers with that 101 as soon as the app accepts; the
 * rest of the app (its message loop) runs under ctx.waitUntil. workerd frames, masks and
 * validates; this file only adapts its event API to TSGI's async iteration.
 */
import {
  type App,
  type AppResponse,
  coreError,
  type Environ,
  MessageQueue,
  type StartResponse,
  type TsgiWebSocket,
  type WebSocketAcceptOptions,
  type WebSocketClose,
  type WebSocketUpgrade,
} from '../../src/index.js';

/** A Blob as far as reading it goes. */
interface BlobLike {
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The part of workerd's WebSocket used here. */
interface WorkerSocket {
  accept(): void;
  send(message: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'message',
    listener: (event: { data: string | ArrayBuffer }) => void,
  ): void;
  addEventListener(
    type: 'close',
    listener: (event: { code: number; reason: string }) => void,
  ): void;
  addEventListener(type: 'error', listener: () => void): void;
}
type Pair = new () => { 0: WorkerSocket; 1: WorkerSocket };
const WebSocketPair = (globalThis as { WebSocketPair?: Pair }).WebSocketPair;

class WorkerWebSocket implements TsgiWebSocket {
  readonly protocol: string;
  readonly closed: Promise<WebSocketClose>;
  readonly #socket: WorkerSocket;
  readonly #queue = new MessageQueue<string | Uint8Array>();
  #done = false;
  #closing = false;
  #resolveClosed!: (close: WebSocketClose) => void;

  constructor(socket: WorkerSocket, protocol: string) {
    this.#socket = socket;
    this.protocol = protocol;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    socket.addEventListener('message', (event) => {
      const data = event.data;
      // workerd hands binary messages over as a Blob (the default binaryType) or an ArrayBuffer.
      this.#queue.push(
        typeof data === 'string'
          ? data
          : data instanceof ArrayBuffer
            ? new Uint8Array(data).slice()
            : (data as BlobLike).arrayBuffer().then((b) => new Uint8Array(b)),
      );
    });
    socket.addEventListener('close', (event) => {
      // Complete the closing handshake the peer started (a no-op when we started it).
      if (!this.#closing) {
        try {
          socket.close(event.code === 1005 ? undefined : event.code, event.reason);
        } catch {
          // already closed
        }
      }
      this.#finish(event.code, event.reason);
    });
    socket.addEventListener('error', () => this.#finish(1006, ''));
  }

  get open(): boolean {
    return !this.#done && !this.#closing;
  }

  async send(message: string | Uint8Array): Promise<void> {
    if (!this.open) throw coreError('ERR_TSGI_WEBSOCKET_CLOSED');
    this.#socket.send(message);
  }

  close(code = 1000, reason = ''): void {
    if (code !== 1000 && (code < 3000 || code > 4999)) {
      throw new RangeError(`close code ${code}: use 1000 or 3000-4999`);
    }
    if (!this.open) return;
    this.#closing = true;
    this.#socket.close(code, reason);
    this.#queue.end();
  }

  [Symbol.asyncIterator](): AsyncIterator<string | Uint8Array> {
    return this.#queue[Symbol.asyncIterator]();
  }

  #finish(code: number, reason: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#queue.end();
    this.#resolveClosed({ code, reason });
  }
}

/** One upgrade request: the offer in the environ, and what accept() produced. */
export class WorkerUpgrade implements WebSocketUpgrade {
  readonly protocols: readonly string[];
  startResponse: StartResponse | undefined;
  accepted: { client: WorkerSocket; socket: WorkerWebSocket } | undefined;
  /** Resolves when the app accepts: the 101 can go out while the app runs on. */
  readonly onAccept: Promise<'accepted'>;
  #onAccept!: (value: 'accepted') => void;

  constructor(protocols: string[]) {
    this.protocols = protocols;
    this.onAccept = new Promise((resolve) => {
      this.#onAccept = resolve;
    });
  }

  async accept(options: WebSocketAcceptOptions = {}): Promise<TsgiWebSocket> {
    if (this.accepted) throw coreError('ERR_TSGI_WEBSOCKET_ACCEPT', 'accept() was called twice');
    const protocol = options.protocol ?? '';
    if (protocol && !this.protocols.includes(protocol)) {
      throw coreError(
        'ERR_TSGI_WEBSOCKET_ACCEPT',
        `protocol ${JSON.stringify(protocol)} was not offered`,
      );
    }
    try {
      // Commits the app's response (throws when the app already answered). Its status is never
      // sent: switchingResponse's 101 is. startResponse takes final statuses only.
      this.startResponse!('200 OK', []);
    } catch (cause) {
      throw coreError('ERR_TSGI_WEBSOCKET_ACCEPT', 'startResponse was already called', cause);
    }
    const pair = new WebSocketPair!();
    const server = pair[1];
    server.accept();
    this.accepted = { client: pair[0], socket: new WorkerWebSocket(server, protocol) };
    this.#onAccept('accepted');
    return this.accepted.socket;
  }
}

/** The offer for a WebSocket handshake request, when workerd can upgrade it. */
export function websocketOffer(request: Request): WorkerUpgrade | undefined {
  if (!WebSocketPair || request.method !== 'GET') return undefined;
  if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return undefined;
  const protocols = (request.headers.get('sec-websocket-protocol') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return new WorkerUpgrade(protocols);
}

/** The app with startResponse captured for accept(). */
export function capturingStartResponse(app: App, upgrade: WorkerUpgrade): App {
  return (environ, startResponse) => {
    upgrade.startResponse = startResponse;
    return app(environ, startResponse);
  };
}

/** After accept: the app's body is driven to its end (its loop) and discarded; then close. */
export async function finishAccepted(
  running: Promise<AppResponse>,
  upgrade: WorkerUpgrade,
  environ: Environ,
): Promise<void> {
  const socket = upgrade.accepted!.socket;
  try {
    const response = await running;
    try {
      for await (const _ of response.body);
    } finally {
      await response.close();
    }
  } catch (error) {
    environ['wsgi.errors'].write(
      `websocket app failed after accept: ${(error as Error)?.stack ?? error}\n`,
    );
  }
  if (socket.open) socket.close(1000);
}

/** The 101 Response that hands the client end to workerd. */
export function switchingResponse(upgrade: WorkerUpgrade): Response {
  const { client, socket } = upgrade.accepted!;
  const headers: Record<string, string> = {};
  if (socket.protocol) headers['Sec-WebSocket-Protocol'] = socket.protocol;
  return new Response(null, { status: 101, headers, webSocket: client } as ResponseInit);
}
