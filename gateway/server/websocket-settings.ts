/** The WebSocket settings from the server options (uWSGI's websockets-* names and units). */

import type { WebSocketSettings } from '../websocket/connection.js';
import type { ServerOptions } from './options.js';

export function websocketSettings(
  options: ServerOptions,
  warn: (line: string) => void,
): WebSocketSettings {
  return {
    maxMessageBytes: (options.websocketsMaxSize ?? 1024) * 1024,
    pingMs: (options.websocketsPingFreq ?? 30) * 1000,
    pongToleranceMs: Math.max(1, (options.websocketsPongTolerance ?? 3) * 1000),
    closeWaitMs: 5000,
    warn,
  };
}
