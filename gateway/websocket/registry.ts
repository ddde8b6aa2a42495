/**
 * The WebSockets open in this process: counted for the stats, and sent 1001 (going away) the
 * moment a graceful stop or reload begins, so clients reconnect elsewhere while the worker drains.
 */

import type { GatewayWebSocket } from './connection.js';
import { CLOSE_CODE } from './frame-codec.js';

export class WebSocketRegistry {
  readonly #open = new Set<GatewayWebSocket>();
  #goingAway = false;

  get size(): number {
    return this.#open.size;
  }

  add(socket: GatewayWebSocket): void {
    if (this.#goingAway) {
      socket.closeAs(CLOSE_CODE.GOING_AWAY, 'server going away');
      return;
    }
    this.#open.add(socket);
    void socket.closed.then(() => this.#open.delete(socket));
  }

  /**
   * Starts the closing handshake on every open socket; with `stopping`, also on any accepted from
   * now on (a reload leaves the worker serving until its turn, so new sockets stay open).
   */
  goAway(stopping = true): void {
    if (stopping) this.#goingAway = true;
    for (const socket of this.#open) socket.closeAs(CLOSE_CODE.GOING_AWAY, 'server going away');
  }
}
