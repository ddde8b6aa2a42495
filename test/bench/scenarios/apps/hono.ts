/** A Hono app (router + context) served as a TSGI app through the core Fetch bridge. */
import { Hono } from 'hono';
import { fromFetch } from 'tsgi';

export const honoApp = new Hono();
honoApp.get('/', (c) => c.text('Hello, World!'));
honoApp.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));

export default fromFetch(honoApp.fetch);
