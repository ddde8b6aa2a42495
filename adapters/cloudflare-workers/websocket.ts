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
  type RunOptions,
  type StartResponse,
  startApp,
  type TsgiWebSocket,
  WEBSOCKET_KEY,
  type WebSocketAcceptOptions,
  type WebSocketClose,
} from '../../src/index.js';
import type { WorkerContext } from './worker-environ.js';

/** The part of workerd's WebSocket used here. */
interface WorkerSocket {
  accept(): void;
  binaryType?: string;
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

/**
 * The server end as the app's socket. Messages wait in a ReadableStream (workerd's own queue) for
 * the app's `for await`. Closures rather than classes: a Workers bundle stays small.
 */
function appSocket(server: WorkerSocket, protocol: string): TsgiWebSocket {
  // Binary messages as ArrayBuffers (the standard default is a Blob, which is read asynchronously).
  server.binaryType = 'arraybuffer';
  server.accept();
  let messages!: ReadableStreamDefaultController<string | Uint8Array>;
  const queue = new ReadableStream<string | Uint8Array>({
    start(controller) {
      messages = controller;
    },
  });
  let open = true;
  let closed!: (close: WebSocketClose) => void;
  const finish = (code: number, reason: string): void => {
    if (open) messages.close();
    open = false;
    closed({ code, reason });
  };
  server.addEventListener('message', ({ data }) => {
    messages.enqueue(typeof data === 'string' ? data : new Uint8Array(data).slice());
  });
  server.addEventListener('close', ({ code, reason }) => {
    // Complete the closing handshake the peer started (not when we started it).
    if (open) {
      try {
        server.close(code === 1005 ? undefined : code, reason);
      } catch {
        // already closed
      }
    }
    finish(code, reason);
  });
  server.addEventListener('error', () => finish(1006, ''));
  return {
    protocol,
    closed: new Promise((resolve) => {
      closed = resolve;
    }),
    async send(message) {
      if (!open) throw coreError('ERR_TSGI_WEBSOCKET_CLOSED');
      server.send(message);
    },
    close(code = 1000, reason = '') {
      if (code !== 1000 && (code < 3000 || code > 4999)) {
        throw new RangeError(`close code ${code}: use 1000 or 3000-4999`);
      }
      if (!open) return;
      open = false;
      server.close(code, reason);
      messages.close();
    },
    [Symbol.asyncIterator]() {
      // A loop the app leaves early leaves the rest for its next loop.
      return queue.values({ preventCancel: true });
    },
  };
}

/**
 * Serves a request workerd can upgrade to a WebSocket (undefined for any other request): the
 * environ gets the offer; the 101 goes out when the app accepts, and the rest of the app (its
 * message loop) runs under ctx.waitUntil. An app that does not accept answers through `respond`.
 */
export function serveUpgrade(
  app: App,
  environ: Environ,
  runOptions: RunOptions,
  respond: (response: AppResponse, environ: Environ, ctx: WorkerContext) => Response,
  ctx: WorkerContext,
): Promise<Response> | undefined {
  // The environ has the request's method and headers already: no Headers lookup per request.
  const upgrade = environ.HTTP_UPGRADE as string | undefined;
  if (!WebSocketPair || !upgrade || environ.REQUEST_METHOD !== 'GET') return undefined;
  if (upgrade.toLowerCase() !== 'websocket') return undefined;
  const protocols = ((environ.HTTP_SEC_WEBSOCKET_PROTOCOL as string | undefined) ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  let startResponse!: StartResponse;
  let accepted!: (value: 'accepted') => void;
  const onAccept = new Promise<'accepted'>((resolve) => {
    accepted = resolve;
  });
  let client: WorkerSocket | undefined;
  let socket: TsgiWebSocket | undefined;
  environ[WEBSOCKET_KEY] = {
    protocols,
    async accept(options: WebSocketAcceptOptions = {}) {
      if (socket) throw coreError('ERR_TSGI_WEBSOCKET_ACCEPT', 'accept() was called twice');
      const protocol = options.protocol ?? '';
      if (protocol && !protocols.includes(protocol)) {
        throw coreError(
          'ERR_TSGI_WEBSOCKET_ACCEPT',
          `protocol ${JSON.stringify(protocol)} was not offered`,
        );
      }
      try {
        // Commits the app's response (throws when the app already answered). Its status is never
        // sent: the 101 is. startResponse takes final statuses only.
        startResponse('200 OK', []);
      } catch (cause) {
        throw coreError('ERR_TSGI_WEBSOCKET_ACCEPT', 'startResponse was already called', cause);
      }
      const pair = new WebSocketPair!();
      client = pair[0];
      socket = appSocket(pair[1], protocol);
      accepted('accepted');
      return socket;
    },
  };
  const running = Promise.resolve(
    startApp(
      (e, start) => {
        startResponse = start;
        return app(e, start);
      },
      environ,
      runOptions,
    ),
  );
  return Promise.race([running, onAccept]).then((first) => {
    if (first !== 'accepted') return respond(first, environ, ctx);
    // The app's body is driven to its end (its message loop) and discarded; then the close.
    ctx.waitUntil(
      (async () => {
        try {
          const response = await running;
          try {
            if (!response.complete) for await (const _ of response.body);
          } finally {
            await response.close();
          }
        } catch (error) {
          environ['wsgi.errors'].write(
            `websocket app failed after accept: ${(error as Error)?.stack ?? error}\n`,
          );
        }
        socket!.close();
      })(),
    );
    const protocol = socket!.protocol;
    return new Response(null, {
      status: 101,
      headers: protocol ? { 'Sec-WebSocket-Protocol': protocol } : {},
      webSocket: client,
    } as ResponseInit);
  });
}
