/** Reads the whole request body and sends it back (the 64 KB POST scenario). */
import type { App } from 'tsgi';

const app: App = async (environ, startResponse) => {
  const body = await environ['wsgi.input'].read();
  startResponse('200 OK', [
    ['Content-Type', 'application/octet-stream'],
    ['Content-Length', String(body.length)],
  ]);
  return [body];
};
export default app;
