/**
 * The Hono app of the Hono rows: `GET /` text and `GET /json/:id` JSON. The gateway serves it
 * through `fromHono`; servers/baseline.ts serves the very same object on @hono/node-server.
 */
import { Hono } from 'hono';
import { fromHono } from 'tsgi/hono';

export const honoApp = new Hono();
honoApp.get('/', (c) => c.text('Hello, World!'));
honoApp.get('/json/:id', (c) => c.json({ id: c.req.param('id'), ok: true }));

export default fromHono(honoApp);
