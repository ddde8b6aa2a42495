/**
 * A WebSocket echo app: `/echo` accepts (subprotocol `echo` when offered) and sends every message
 * back, text as text and binary as binary; the message `bye` makes the server close (4000).
 * Without an upgrade (Lambda, a uwsgi socket, a plain GET) `/echo` answers 426, and other paths
 * refuse the upgrade with 403. Runs on Workers and on the gateway's HTTP sockets.
 *
 *   tsgi --http :8000 examples/websocket-echo.ts
 */
import type { App } from 'tsgi';

const text = [['Content-Type', 'text/plain; charset=utf-8']] as [string, string][];

const app: App = async (environ, startResponse) => {
  const offer = environ['tsgi.websocket'];
  if (environ.PATH_INFO !== '/echo') {
    startResponse('403 Forbidden', text);
    return ['no WebSocket here: connect to /echo\n'];
  }
  if (!offer) {
    startResponse('426 Upgrade Required', text);
    return ['connect with a WebSocket\n'];
  }
  const socket = await offer.accept(offer.protocols.includes('echo') ? { protocol: 'echo' } : {});
  for await (const message of socket) {
    if (message === 'bye') {
      socket.close(4000, 'bye to you too');
      break;
    }
    await socket.send(message);
  }
  return [];
};

export default app;
