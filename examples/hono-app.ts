/**
 * A Hono app run as a TSGI app through `tsgi/hono`: the same app can be served by the gateway,
 * the Lambda adapter or Workers. `honoApp` is the plain Hono app; the default export is TSGI.
 */
import { Hono } from 'hono';
import { fromHono } from 'tsgi/hono';

export const honoApp = new Hono();

honoApp.get('/', (c) => c.text('Hello from Hono!'));
honoApp.get('/greet/:name', (c) => c.json({ hello: c.req.param('name') }));
honoApp.post('/echo', async (c) =>
  c.body(await c.req.arrayBuffer(), 200, {
    'Content-Type': c.req.header('content-type') ?? 'application/octet-stream',
  }),
);

export default fromHono(honoApp);
