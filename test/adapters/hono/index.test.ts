import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { mount } from 'hono/mount';
import { type App, createErrors, environFromRequest, runApp, toFetch, validator } from 'tsgi';
import { fromHono, mountable, routePrefix, toHono } from 'tsgi/hono';

type Fields = Record<string, unknown>;
const json = (res: Response) => res.json() as Promise<Fields>;

/** A TSGI app that answers with the environ keys that matter for mounting. */
const pathApp: App = (environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  return [
    JSON.stringify({
      SCRIPT_NAME: environ.SCRIPT_NAME,
      PATH_INFO: environ.PATH_INFO,
      QUERY_STRING: environ.QUERY_STRING,
      method: environ.REQUEST_METHOD,
      cf: 'cloudflare.env' in environ,
      hono: 'hono.context' in environ,
    }),
  ];
};

function honoApp(): Hono {
  const app = new Hono();
  app.get('/', (c) => c.text('root'));
  app.get('/hello/:name', (c) => c.text(`hello ${c.req.param('name')} ${c.req.query('x') ?? ''}`));
  app.post('/echo', async (c) => c.text(await c.req.text()));
  app.get('/cookies', (c) => {
    c.header('Set-Cookie', 'a=1', { append: true });
    c.header('Set-Cookie', 'b=2', { append: true });
    return c.text('two cookies');
  });
  app.get('/env', (c) => {
    const env = c.env as Record<string, unknown>;
    return c.json({ remote: env.REMOTE_ADDR ?? null, binding: env.BINDING ?? null });
  });
  app.get('/stream', (c) => {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('one,'));
        controller.enqueue(new TextEncoder().encode('two'));
        controller.close();
      },
    });
    return c.body(stream, 200, { 'Content-Type': 'text/plain' });
  });
  return app;
}

describe('adapters/hono: fromHono (a Hono app as a TSGI app)', () => {
  const handler = toFetch(fromHono(honoApp()));
  it('routes paths and queries', async () => {
    const res = await handler(new Request('http://example.test/hello/ada?x=1'));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello ada 1');
  });
  it('passes the request body through wsgi.input', async () => {
    const res = await handler(
      new Request('http://example.test/echo', { method: 'POST', body: 'posted bytes' }),
    );
    assert.equal(await res.text(), 'posted bytes');
  });
  it('keeps each Set-Cookie header apart', async () => {
    const res = await handler(new Request('http://example.test/cookies'));
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
  });
  it("answers Hono's 404 for an unknown route", async () => {
    const res = await handler(new Request('http://example.test/nope'));
    assert.equal(res.status, 404);
  });
  it('streams a ReadableStream body', async () => {
    const res = await handler(new Request('http://example.test/stream'));
    assert.equal(await res.text(), 'one,two');
  });
  it('HEAD gets headers and no body', async () => {
    const res = await handler(new Request('http://example.test/', { method: 'HEAD' }));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
  });
  it('gives c.env the environ when no platform is present', async () => {
    const environ = environFromRequest(new Request('http://example.test/env'), {
      remoteAddr: '127.0.0.1',
    });
    const response = await runApp(fromHono(honoApp()), environ);
    const chunks: Uint8Array[] = [];
    for await (const c of response.body) chunks.push(c);
    await response.close();
    assert.deepEqual(JSON.parse(new TextDecoder().decode(Buffer.concat(chunks))), {
      remote: '127.0.0.1',
      binding: null,
    });
  });
  it('gives c.env the Workers bindings from cloudflare.env', async () => {
    const ctx = { waitUntil() {}, passThroughOnException() {} };
    const wrapped = toFetch(fromHono(honoApp()), {
      environ: () => ({ 'cloudflare.env': { BINDING: 'kv' }, 'cloudflare.ctx': ctx }),
    });
    const res = await wrapped(new Request('http://example.test/env'));
    assert.deepEqual(await res.json(), { remote: null, binding: 'kv' });
  });
  it("gives c.env Lambda's { event, requestContext, lambdaContext } like hono/aws-lambda", async () => {
    const app = new Hono();
    app.get('/', (c) => {
      const env = c.env as { event: { rawPath: string }; requestContext: { stage: string } };
      return c.text(`${env.event.rawPath} ${env.requestContext.stage}`);
    });
    const event = { rawPath: '/', requestContext: { stage: 'prod' } };
    const res = await toFetch(fromHono(app), {
      environ: () => ({ 'aws.event': event, 'aws.context': { awsRequestId: '1' } }),
    })(new Request('http://example.test/'));
    assert.equal(await res.text(), '/ prod');
  });
  it('passes the validator', async () => {
    const lines: string[] = [];
    const res = await toFetch(validator(fromHono(honoApp())), {
      environOptions: { errors: createErrors((l) => lines.push(l)) },
    })(new Request('http://example.test/hello/bob'));
    assert.equal(await res.text(), 'hello bob ');
    assert.deepEqual(lines, []);
  });
});

describe('adapters/hono: a TSGI app inside Hono', () => {
  it("app.mount('/legacy', mountable(app, '/legacy')): SCRIPT_NAME /legacy, PATH_INFO /x", async () => {
    const app = new Hono();
    app.mount('/legacy', mountable(pathApp, '/legacy'));
    const res = await app.request('http://example.test/legacy/x?y=1');
    assert.deepEqual(await res.json(), {
      SCRIPT_NAME: '/legacy',
      PATH_INFO: '/x',
      QUERY_STRING: 'y=1',
      method: 'GET',
      cf: false,
      hono: false,
    });
  });
  it('mountable keeps percent-decoding of the remaining path', async () => {
    const app = new Hono();
    app.mount('/legacy', mountable(pathApp, '/legacy'));
    const body = await json(await app.request('http://example.test/legacy/caf%C3%A9'));
    assert.equal(body.PATH_INFO, '/caf\u00c3\u00a9');
  });
  it("mount() from 'hono/mount' works with mountable", async () => {
    const app = new Hono();
    app.all('/legacy/*', mount(mountable(pathApp, '/legacy')));
    const body = await json(await app.request('http://example.test/legacy/x'));
    assert.deepEqual([body.SCRIPT_NAME, body.PATH_INFO], ['/legacy', '/x']);
  });
  it("app.mount with replaceRequest: false and toFetch's scriptName", async () => {
    const app = new Hono();
    app.mount('/legacy', toFetch(pathApp, { scriptName: '/legacy' }), { replaceRequest: false });
    const body = await json(await app.request('http://example.test/legacy/x'));
    assert.deepEqual([body.SCRIPT_NAME, body.PATH_INFO], ['/legacy', '/x']);
  });
  it('toHono after middleware read the body: the app gets it whole from Hono (it was a 500)', async () => {
    // A validator, body limit or logger in front reads the body; its stream is spent then.
    const bodyApp: App = async (environ, start) => {
      const bytes = await environ['wsgi.input'].read();
      start('200 OK', [['Content-Type', 'application/json']]);
      const text = new TextDecoder().decode(bytes);
      return [JSON.stringify({ text, length: environ.CONTENT_LENGTH, type: environ.CONTENT_TYPE })];
    };
    const app = new Hono();
    app.use('/text/*', async (c, next) => {
      await c.req.text();
      await next();
    });
    app.use('/json/*', async (c, next) => {
      await c.req.json();
      await next();
    });
    app.use('/form/*', async (c, next) => {
      await c.req.parseBody();
      await next();
    });
    app.all('*', toHono(bodyApp));
    const text = await app.request('http://example.test/text/x', {
      method: 'POST',
      body: 'hello',
      headers: { 'content-length': '5' },
    });
    assert.equal(text.status, 200);
    assert.deepEqual(await text.json(), {
      text: 'hello',
      length: '5',
      type: 'text/plain;charset=UTF-8',
    });
    const sent = '{ "a": [1, 2] }';
    const body = await json(
      await app.request('http://example.test/json/x', {
        method: 'POST',
        body: sent,
        headers: { 'content-type': 'application/json' },
      }),
    );
    assert.equal(body.text, sent);
    const form = new FormData();
    form.set('name', 'José');
    const res = await app.request('http://example.test/form/x', { method: 'POST', body: form });
    const parsed = (await res.json()) as { text: string; type: string };
    // Encoded again: the Content-Type names the boundary the new body uses.
    const boundary = /boundary=(.+)$/.exec(parsed.type)?.[1];
    assert.ok(boundary && parsed.text.includes(`--${boundary}`), parsed.type);
    assert.match(parsed.text, /name="name"\r\n\r\nJosé\r\n/);
  });
  it("toHono on a route: app.all('/legacy/*', toHono(app))", async () => {
    const app = new Hono();
    app.all('/legacy/*', toHono(pathApp));
    const body = await json(await app.request('http://example.test/legacy/x/y?z'));
    assert.deepEqual(
      [body.SCRIPT_NAME, body.PATH_INFO, body.QUERY_STRING],
      ['/legacy', '/x/y', 'z'],
    );
    assert.equal(body.hono, true);
  });
  it('toHono takes the prefix of a route with parameters', async () => {
    const app = new Hono();
    app.all('/t/:tenant/*', toHono(pathApp));
    const body = await json(await app.request('http://example.test/t/acme/orders/7'));
    assert.deepEqual([body.SCRIPT_NAME, body.PATH_INFO], ['/t/acme', '/orders/7']);
  });
  it('toHono passes POST bodies and streams', async () => {
    const app = new Hono();
    app.post(
      '/up/*',
      toHono(async (environ, startResponse) => {
        const body = await environ['wsgi.input'].read();
        startResponse('201 Created', [['Content-Type', 'text/plain']]);
        return (async function* () {
          yield 'got ';
          yield body;
        })();
      }),
    );
    const res = await app.request('http://example.test/up/file', { method: 'POST', body: 'data' });
    assert.equal(res.status, 201);
    assert.equal(await res.text(), 'got data');
  });
  it('toHono marks Workers env/ctx as cloudflare.* keys', async () => {
    const app = new Hono();
    app.all('/w/*', toHono(pathApp));
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} };
    const res = await app.fetch(new Request('http://example.test/w/x'), { KV: 1 }, ctx as never);
    assert.equal((await json(res)).cf, true);
  });
  it('a TSGI app and a Hono app round-trip: Hono → TSGI → Hono', async () => {
    // fromHono rebuilds the URL from SCRIPT_NAME + PATH_INFO; stripScriptName gives it PATH_INFO.
    const stripped = new Hono();
    stripped.mount(
      '/inner',
      toFetch(fromHono(honoApp(), { stripScriptName: true }), { scriptName: '/inner' }),
      { replaceRequest: false },
    );
    const res = await stripped.request('http://example.test/inner/hello/eve');
    assert.equal(await res.text(), 'hello eve ');
  });
  it('routePrefix counts the segments before the wildcard', () => {
    assert.equal(routePrefix('/legacy/*', '/legacy/x'), '/legacy');
    assert.equal(routePrefix('/a/:b/*', '/a/b%20c/d'), '/a/b%20c');
    assert.equal(routePrefix('*', '/x'), '');
    assert.equal(routePrefix('/exact', '/exact'), '/exact');
  });
});

describe('tsgi/hono: tsgi.waitUntil', () => {
  const bg: App = (environ, start) => {
    environ['tsgi.waitUntil']!(Promise.resolve('later'));
    start('200 OK', [['Content-Type', 'text/plain']]);
    return [typeof environ['tsgi.waitUntil']];
  };
  it("toHono hands the work to Hono's execution context when there is one", async () => {
    const held: Promise<unknown>[] = [];
    const app = new Hono();
    app.all('/*', toHono(bg));
    const ctx = { waitUntil: (p: Promise<unknown>) => held.push(p), passThroughOnException() {} };
    const res = await app.fetch(new Request('http://x.test/a'), {}, ctx as never);
    assert.equal(await res.text(), 'function');
    assert.equal(held.length, 1);
  });
  it('toHono keeps the work itself on Node (no execution context)', async () => {
    const app = new Hono();
    app.all('/*', toHono(bg));
    const res = await app.fetch(new Request('http://x.test/a'));
    assert.equal(await res.text(), 'function');
  });
});
