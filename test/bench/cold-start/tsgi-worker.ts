/** Cold-start bench: hello world as a TSGI app on Workers (the Hono twin is hono-worker.ts). */
import type { App } from 'tsgi';
import { toWorker } from 'tsgi/cloudflare-workers';

const app: App = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
  return ['Hello, World!'];
};

export default toWorker(app);
