/**
 * The request cycle's Exchange for an upgrade request (a WebSocket handshake) on node:http: the
 * socket is detached from node's parser, so a response the app gives instead of accepting is
 * written by our own HTTP/1.1 codec (http-response.ts, as on the raw handle), and the connection
 * closes after it.
 */
import type { Duplex } from 'node:stream';
import { httpResponse } from './http-response.js';
import type { Exchange } from './request-cycle.js';
import { writeCorked } from './write-batch.js';

export class UpgradeExchange implements Exchange {
  readonly socket: Duplex;
  readonly startedAt: number;
  readonly remoteAddress: string | undefined;
  readonly minor: 0 | 1;
  // HttpResponseTarget: the connection closes after this response.
  readonly keepAliveWanted = false;
  readonly keepAliveSeconds = 0;
  keepAlive = false;
  /** The request was logged (a response written, or the WebSocket served): once only. */
  ended = false;

  constructor(socket: Duplex, httpVersion: string, startedAt: number) {
    this.socket = socket;
    this.startedAt = startedAt;
    this.remoteAddress = (socket as { remoteAddress?: string }).remoteAddress;
    this.minor = httpVersion === '1.0' ? 0 : 1;
  }

  get codec(): typeof httpResponse {
    return httpResponse;
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  write(bytes: Uint8Array): boolean {
    return this.socket.write(bytes);
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    return writeCorked(this.socket, chunks);
  }

  waitDrain(): Promise<boolean> {
    const { socket } = this;
    if (socket.destroyed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const finish = (ok: boolean) => () => {
        socket.off('drain', onDrain);
        socket.off('close', onClose);
        resolve(ok);
      };
      const onDrain = finish(true);
      const onClose = finish(false);
      socket.once('drain', onDrain);
      socket.once('close', onClose);
    });
  }

  responded(ok: boolean): void {
    if (this.socket.destroyed) return;
    if (ok) this.socket.end();
    else this.socket.destroy();
  }
}
