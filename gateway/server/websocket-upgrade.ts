/**
 * The gateway's WebSocket upgrade (the UpgradeHandler of the HTTP path): a valid handshake gets
 * `tsgi.websocket` in the environ; the app accepts (101, then frames) or answers with an ordinary
 * response. After accept the app may go on running (a `for await` loop, in its body or before it
 * returns); when it is done the socket is closed with 1000 if still open, and the body it
 * returned is discarded. A request that is not a valid handshake is served as a plain request.
 */
import type { Socket } from 'node:net';
import {
  type App,
  type AppResponse,
  coreError,
  type HeaderList,
  runApp,
  type StartResponse,
  WEBSOCKET_KEY,
  type WebSocketAcceptOptions,
  type WebSocketUpgrade,
} from '../../src/index.js';
import { GatewayWebSocket, type WebSocketSettings } from '../websocket/connection.js';
import { CLOSE_CODE } from '../websocket/frame-codec.js';
import { type Offer, readOffer, switchingProtocols } from '../websocket/handshake.js';
import type { WebSocketRegistry } from '../websocket/registry.js';
import type { ConnectionContext, UpgradeHandler, UpgradeRequest } from './connection-context.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const RESERVED = new Set([
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
]);

function checkedHeaders(headers: HeaderList | undefined): HeaderList {
  for (const [name, value] of headers ?? []) {
    if (!TOKEN.test(name) || /[\r\n\0]/.test(value) || RESERVED.has(name.toLowerCase())) {
      throw coreError('ERR_TSGI_WEBSOCKET_ACCEPT', `header ${JSON.stringify(name)} cannot be sent`);
    }
  }
  return headers ?? [];
}

/** One upgrade request's offer: accept() switches protocols on the socket. */
class Upgrade implements WebSocketUpgrade {
  readonly protocols: readonly string[];
  socket: GatewayWebSocket | undefined;
  startResponse: StartResponse | undefined;

  constructor(
    private readonly offer: Offer,
    private readonly request: UpgradeRequest,
    private readonly settings: WebSocketSettings,
    private readonly registry: WebSocketRegistry,
  ) {
    this.protocols = offer.protocols;
  }

  async accept(options: WebSocketAcceptOptions = {}): Promise<GatewayWebSocket> {
    if (this.socket) throw coreError('ERR_TSGI_WEBSOCKET_ACCEPT', 'accept() was called twice');
    const protocol = options.protocol ?? '';
    if (protocol && !this.protocols.includes(protocol)) {
      throw coreError(
        'ERR_TSGI_WEBSOCKET_ACCEPT',
        `protocol ${JSON.stringify(protocol)} was not offered`,
      );
    }
    const headers = checkedHeaders(options.headers);
    try {
      // Commits the app's response (throws when the app already answered). Its status is never
      // sent: the 101 head below is, and the request is logged as 101. startResponse takes final
      // statuses only (a 1xx from an app would desync a pipelined client).
      this.startResponse!('200 OK', []);
    } catch (cause) {
      throw coreError('ERR_TSGI_WEBSOCKET_ACCEPT', 'startResponse was already called', cause);
    }
    const { socket: raw, head } = this.request;
    (raw as Partial<Socket>).setTimeout?.(0);
    (raw as Partial<Socket>).setNoDelay?.(true);
    raw.write(switchingProtocols(this.offer.key, protocol, headers));
    this.socket = new GatewayWebSocket(raw, head, protocol, this.settings);
    this.registry.add(this.socket);
    return this.socket;
  }
}

async function serveUpgrade(
  request: UpgradeRequest,
  context: ConnectionContext,
  settings: WebSocketSettings,
  registry: WebSocketRegistry,
): Promise<void> {
  const { environ } = request;
  const offer = readOffer(environ);
  if (typeof offer === 'string') {
    await request.respond(await runApp(context.app, environ));
    return;
  }
  const upgrade = new Upgrade(offer, request, settings, registry);
  environ[WEBSOCKET_KEY] = upgrade;
  const app: App = (env, startResponse) => {
    upgrade.startResponse = startResponse;
    return context.app(env, startResponse);
  };
  const response: AppResponse = await runApp(app, environ);
  const socket = upgrade.socket;
  if (!socket) {
    await request.respond(response);
    return;
  }
  try {
    // The app may loop in its body: drive it to the end, sending nothing of it.
    for await (const _ of response.body);
  } catch (error) {
    context.log.error(`websocket app failed after accept: ${(error as Error)?.stack ?? error}`);
    socket.closeAs(CLOSE_CODE.INTERNAL_ERROR, 'server error');
  } finally {
    await response.close();
  }
  if (socket.open) socket.close(CLOSE_CODE.NORMAL);
  await socket.closed;
  request.done(101, socket.bytesSent);
}

export function websocketUpgrade(
  settings: WebSocketSettings,
  registry: WebSocketRegistry,
): UpgradeHandler {
  return (request, context) => {
    serveUpgrade(request, context, settings, registry).catch((error: unknown) => {
      context.log.error(`websocket upgrade failed: ${(error as Error)?.stack ?? error}`);
      request.socket.destroy();
    });
  };
}
