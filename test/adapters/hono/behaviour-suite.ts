/**
 * The suite of Hono's own behaviour through fromHono, whose handler gets the lazy Request of
 * src/environ-request.ts: routing, c.req.*, cookies, JSON, form data, streaming and its abort,
 * and the cors and logger middleware. Each answer is compared with the same app called directly
 * with a real Request, so "cannot tell it from a real one" is checked, not assumed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { cors } from 'hono/cors';
import { logger } from 'hono/logger';
import { streamText } from 'hono/streaming';
import { environFromRequest, runApp, toFetch } from 'tsgi';
import { fromHono } from 'tsgi/hono';

const logLines: string[] = [];
let aborted = 0;

function app(): Hono {
  const h = new Hono();
  h.use('/api/*', cors({ origin: 'https://ok.test', allowHeaders: ['x-custom'] }));
  h.use(
    '/logged/*',
    logger((line) => logLines.push(line)),
  );
  h.get('/', (c) => c.text('Hello, World!'));
  h.get('/json/:id', (c) => c.json({ id: c.req.param('id'), ok: true }));
  h.get('/logged/:x', (c) => c.text(`logged ${c.req.param('x')}`));
  h.get('/api/info', (c) =>
    c.json({
      query: c.req.query('q') ?? null,
      queries: c.req.queries('tag') ?? null,
      ua: c.req.header('user-agent') ?? null,
      all: c.req.header()['x-custom'] ?? null,
      path: c.req.path,
      url: c.req.url,
      method: c.req.method,
    }),
  );
  h.post('/api/echo', async (c) =>
    c.json({ got: await c.req.json(), type: c.req.header('content-type') }),
  );
  h.post('/text', async (c) => c.text(`${(await c.req.text()).length} chars`));
  h.post('/form', async (c) => {
    const body = await c.req.parseBody();
    const file = body.file as File;
    return c.json({ name: body.name, file: file.name, size: file.size, text: await file.text() });
  });
  h.get('/cookies', (c) => {
    setCookie(c, 'a', '1', { path: '/', httpOnly: true });
    setCookie(c, 'b', '2');
    return c.text(`seen ${getCookie(c, 'seen') ?? 'none'}`);
  });
  h.get('/status', (c) => c.text('teapot', 418, { 'x-extra': 'yes' }));
  h.get('/redirect', (c) => c.redirect('/json/1', 301));
  h.get('/stream', (c) =>
    streamText(c, async (s) => {
      s.onAbort(() => {
        aborted++;
      });
      for (let i = 0; i < 3; i++) await s.write(`part ${i};`);
    }),
  );
  h.get('/endless', (c) =>
    streamText(c, async (s) => {
      s.onAbort(() => {
        aborted++;
      });
      while (!s.aborted) await s.write('tick;');
    }),
  );
  h.get('/raw', (c) => c.text(String(c.req.raw instanceof Request)));
  h.notFound((c) => c.text('custom 404', 404));
  h.onError((err, c) => c.text(`handled: ${err.message}`, 500));
  h.get('/throw', () => {
    throw new Error('boom');
  });
  return h;
}

const honoApp = app();
const viaTsgi = toFetch(fromHono(honoApp));
const direct = (request: Request) => honoApp.fetch(request);

async function both(url: string, init?: RequestInit) {
  const [a, b] = await Promise.all([
    viaTsgi(new Request(url, init)),
    direct(new Request(url, init)),
  ]);
  return { tsgi: a, hono: b };
}

async function same(url: string, init?: RequestInit): Promise<{ body: string; res: Response }> {
  const { tsgi, hono } = await both(url, init);
  assert.equal(tsgi.status, hono.status, url);
  const headers = (r: Response) =>
    [...r.headers]
      .filter(([k]) => k !== 'content-length' && k !== 'transfer-encoding')
      .sort()
      .join('\n');
  assert.equal(headers(tsgi), headers(hono), `${url} headers`);
  const [x, y] = [await tsgi.text(), await hono.text()];
  assert.equal(x, y, `${url} body`);
  return { body: x, res: tsgi };
}

/**
 * The suite, under `title`. Run as it is (behaviour.test.ts) and with the gateway's lightweight
 * global Response installed first (test/src/lightweight-response-hono.test.ts).
 */
export function honoBehaviour(title: string): void {
  describe(title, () => {
    it('text, JSON with a route param, status and headers, redirect, 404, onError', async () => {
      assert.equal((await same('http://h.test/')).body, 'Hello, World!');
      assert.equal((await same('http://h.test/json/42')).body, '{"id":"42","ok":true}');
      const s = await same('http://h.test/status');
      assert.equal(s.res.status, 418);
      assert.equal(s.res.headers.get('x-extra'), 'yes');
      assert.equal((await same('http://h.test/redirect', { redirect: 'manual' })).res.status, 301);
      assert.equal((await same('http://h.test/nope')).body, 'custom 404');
      assert.equal((await same('http://h.test/throw')).body, 'handled: boom');
      assert.equal((await same('http://h.test/raw')).body, 'true');
    });
    it('c.req.query, queries, header, path, url and method', async () => {
      const { body } = await same('http://h.test/api/info?q=x%20y&tag=a&tag=b', {
        headers: { 'user-agent': 'probe/1', 'x-custom': 'c1', origin: 'https://ok.test' },
      });
      assert.deepEqual(JSON.parse(body), {
        query: 'x y',
        queries: ['a', 'b'],
        ua: 'probe/1',
        all: 'c1',
        path: '/api/info',
        url: 'http://h.test/api/info?q=x%20y&tag=a&tag=b',
        method: 'GET',
      });
    });
    it('c.req.json and c.req.text read the body', async () => {
      const { body } = await same('http://h.test/api/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ a: [1, 'two'] }),
      });
      assert.deepEqual(JSON.parse(body), { got: { a: [1, 'two'] }, type: 'application/json' });
      const big = 'é'.repeat(100_000);
      assert.equal(
        (await same('http://h.test/text', { method: 'POST', body: big })).body,
        '100000 chars',
      );
    });
    it('form data with a file (parseBody)', async () => {
      const form = () => {
        const f = new FormData();
        f.append('name', 'ada');
        f.append('file', new Blob(['file contents'], { type: 'text/plain' }), 'notes.txt');
        return f;
      };
      const res = await viaTsgi(
        new Request('http://h.test/form', { method: 'POST', body: form() }),
      );
      assert.deepEqual(await res.json(), {
        name: 'ada',
        file: 'notes.txt',
        size: 13,
        text: 'file contents',
      });
    });
    it('cookies: getCookie reads the request, each setCookie is its own Set-Cookie', async () => {
      const { res, body } = await same('http://h.test/cookies', {
        headers: { cookie: 'seen=yes' },
      });
      assert.equal(body, 'seen yes');
      assert.deepEqual(res.headers.getSetCookie(), ['a=1; Path=/; HttpOnly', 'b=2; Path=/']);
    });
    it('cors: preflight and a simple request get Hono’s headers', async () => {
      await same('http://h.test/api/info', {
        method: 'OPTIONS',
        headers: {
          origin: 'https://ok.test',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'x-custom',
        },
      });
      const { res } = await same('http://h.test/api/info', {
        headers: { origin: 'https://ok.test' },
      });
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://ok.test');
    });
    it('logger: the same lines as on a real Request', async () => {
      logLines.length = 0;
      await viaTsgi(new Request('http://h.test/logged/a?z=1'));
      await direct(new Request('http://h.test/logged/a?z=1'));
      const strip = (l: string) => l.replace(/\d+m?s/, 'T');
      assert.equal(logLines.length, 4);
      assert.equal(strip(logLines[0]!), strip(logLines[2]!));
      assert.equal(strip(logLines[1]!), strip(logLines[3]!));
      assert.match(logLines[1]!, /GET \/logged\/a\?z=1 .*200/);
    });
    it('streaming: chunks arrive in order', async () => {
      assert.equal((await same('http://h.test/stream')).body, 'part 0;part 1;part 2;');
    });
    it('streaming: a client that leaves mid-stream reaches onAbort', async () => {
      const before = aborted;
      const response = await runApp(
        fromHono(honoApp),
        environFromRequest(new Request('http://h.test/endless')),
      );
      const it = response.body[Symbol.asyncIterator]();
      assert.match(new TextDecoder().decode((await it.next()).value), /tick;/);
      await it.return!();
      await response.close();
      const deadline = Date.now() + 5000;
      while (aborted === before && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(aborted, before + 1);
    });
    it('HEAD: the GET route’s status and headers, no body', async () => {
      const { res, body } = await same('http://h.test/json/1', { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal(body, '');
    });
  });
}
