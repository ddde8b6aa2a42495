/** Cold-start bench: hello world as a Hono app on Workers (the TSGI twin is tsgi-worker.ts). */
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.text('Hello, World!'));

export default app;
