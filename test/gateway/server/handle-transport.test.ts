// gateway/server/handle-transport.ts on real TCP connections: the bookkeeping both raw-handle
// protocols share. The protocol here is the smallest one that exercises it (write a response,
// then hand the connection to a net.Socket that waits for more), because the contract is
// between the transport and any protocol; the uwsgi and HTTP protocols on it are tested in
// *-fast-accept*.test.ts.
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ConnectionContext } from '../../../gateway/server/connection-context.js';
import {
  HandleConnection,
  installHandleTransport,
} from '../../../gateway/server/handle-transport.js';
import { resolveServerOptions } from '../../../gateway/server/options.js';
import { uwsgiSignals } from '../../../gateway/server/uwsgi-signals.js';

const BIG = Buffer.alloc(32 * 1024 * 1024, 0x61);

/** Writes BIG on its first bytes, then hands over at once: the net.Socket gets what is queued. */
class WriteThenHandOver extends HandleConnection {
  static sockets: Socket[] = [];
  onBytes(): void {
    this.send(BIG);
    const socket = this.toSocket();
    socket.on('error', () => {});
    WriteThenHandOver.sockets.push(socket);
  }
  protected onEnd(): void {
    this.closeHandle();
  }
  sweepWaiting(): boolean {
    return false;
  }
  protected drained(): void {}
  idle(): boolean {
    return false;
  }
}

describe('gateway/server handle transport', () => {
  let server: Server;
  let port: number;
  const lines: string[] = [];
  before(async () => {
    const context: ConnectionContext = {
      app: () => [],
      options: resolveServerOptions({ socketTimeout: 1 }),
      log: {
        info: (m) => lines.push(`info: ${m}`),
        warn: (m) => lines.push(`warn: ${m}`),
        error: (m) => lines.push(`error: ${m}`),
        request: (m) => lines.push(`request: ${m}`),
      },
      signals: uwsgiSignals,
    };
    server = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    const installed = installHandleTransport(server, context, {
      sweepEveryMs: 200,
      accept: (handle, listener) => new WriteThenHandOver(handle, listener),
    });
    assert.ok(installed, 'the fast transport is on in this Node');
  });
  after(async () => {
    for (const s of WriteThenHandOver.sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('holds a write still queued at a hand-over to socket-timeout (a peer that stops reading)', async () => {
    const client = connect(port, '127.0.0.1');
    client.on('error', () => {});
    client.write('go');
    client.pause(); // never reads: most of the response stays queued in libuv
    // The server's side is what must close (a paused client does not see the FIN).
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline && !WriteThenHandOver.sockets[0]?.destroyed) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    client.destroy();
    const socket = WriteThenHandOver.sockets[0];
    assert.ok(socket, 'handed over');
    assert.ok(socket.destroyed, 'still open 8 s later, with socket-timeout 1 s');
    assert.ok(
      lines.some((l) =>
        /ERR_GATEWAY_WRITE_TIMEOUT: .* bytes unread, 1 s \(socket-timeout\)/.test(l),
      ),
      lines.join('\n'),
    );
  });
});
