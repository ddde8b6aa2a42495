/** A 100 KB response with Content-Length, built once. */
import type { App } from 'tsgi';

export const BIG_BYTES = 100 * 1024;
const BODY = new Uint8Array(BIG_BYTES).fill(97);

const app: App = (_environ, startResponse) => {
  startResponse('200 OK', [
    ['Content-Type', 'application/octet-stream'],
    ['Content-Length', String(BODY.length)],
  ]);
  return [BODY];
};
export default app;
