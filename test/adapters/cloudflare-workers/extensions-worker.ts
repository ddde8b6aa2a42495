/**
 * The extension examples as one Worker (bundled for workerd by the tests): examples/background.ts
 * under /bg, examples/lifespan.ts under /lifespan, examples/websocket-echo.ts under /ws, unchanged.
 */
import { toWorker, type WorkerContext } from '../../../adapters/cloudflare-workers/index.js';
import background from '../../../examples/background.js';
import lifespan, { startup } from '../../../examples/lifespan.js';
import websocketEcho from '../../../examples/websocket-echo.js';

const bg = toWorker(background, { scriptName: '/bg' });
const ls = toWorker(lifespan, { scriptName: '/lifespan', startup });
const ws = toWorker(websocketEcho, { scriptName: '/ws' });

export default {
  fetch(request: Request, env: unknown, ctx: WorkerContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/lifespan')) return ls.fetch(request, env, ctx);
    if (path.startsWith('/ws/')) return ws.fetch(request, env, ctx);
    return bg.fetch(request, env, ctx);
  },
};
