// The extensions probe every platform runs: it reports which TSGI extension keys it got and what
// start-up prepared, and never accepts an upgrade (so every platform answers the same way).
import type { App } from 'tsgi';

export async function startup(): Promise<{ probe: string }> {
  return { probe: 'ready' };
}

const app: App = (environ, start) => {
  const websocket = environ['tsgi.websocket'];
  start('200 OK', [['Content-Type', 'application/json']]);
  return [
    JSON.stringify({
      waitUntil: typeof environ['tsgi.waitUntil'],
      websocket: websocket ? { protocols: websocket.protocols } : null,
      state: environ['tsgi.state'] ?? null,
    }),
  ];
};

export default app;
