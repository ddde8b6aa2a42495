/** Cold-start bench: hello world as a TSGI app on Lambda (the Hono twin is hono-lambda.ts). */
import type { App } from 'tsgi';
import { handle } from 'tsgi/aws-lambda';

const app: App = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
  return ['Hello, World!'];
};

export const handler = handle(app);
