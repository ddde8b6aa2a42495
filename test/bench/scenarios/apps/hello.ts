/** TSGI hello world, byte for byte what hello.py and the node:http baseline answer. */
import type { App } from 'tsgi';

const BODY = new TextEncoder().encode('Hello, World!');

const app: App = (_environ, startResponse) => {
  startResponse('200 OK', [
    ['Content-Type', 'text/plain'],
    ['Content-Length', String(BODY.length)],
  ]);
  return [BODY];
};
export default app;
