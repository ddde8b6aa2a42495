/**
 * The extension examples as one Worker (bundled for workerd by the tests): examples/background.ts
 * under /bg, examples/lifespan.ts under /lifespan, unchanged.
 */
import { toWorker, type WorkerContext } from '../../../adapters/cloudflare-workers/index.js';
import background from '../../../examples/background.js';
import lifespan, { startup } from '../../../examples/lifespan.js';

const bg = toWorker(background, { scriptName: '/bg' });
const ls = toWorker(lifespan, { scriptName: '/lifespan', startup });

export default {
  fetch(request: Request, env: unknown, ctx: WorkerContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/lifespan')) return ls.fetch(request, env, ctx);
    return bg.fetch(request, env, ctx);
  },
};
