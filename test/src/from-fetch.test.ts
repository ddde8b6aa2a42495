import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Environ,
  environFromRequest,
  fromFetch,
  requestFromEnviron,
  requestUrl,
  runApp,
  toFetch,
} from 'tsgi';

const env = (url: string, init?: RequestInit) => environFromRequest(new Request(url, init));

describe('src/from-fetch: requestFromEnviron', () => {
  it('rebuilds the URL from HTTP_HOST, SCRIPT_NAME, PATH_INFO and QUERY_STRING', () => {
    const e = env('https://x.test:8443/app/caf%C3%A9?a=%20b');
    assert.equal(requestUrl(e), 'https://x.test:8443/app/caf%C3%A9?a=%20b');
    e.SCRIPT_NAME = '/app';
    e.PATH_INFO = '/caf\u00c3\u00a9';
    assert.equal(requestUrl(e), 'https://x.test:8443/app/caf%C3%A9?a=%20b');
    assert.equal(requestUrl(e, true), 'https://x.test:8443/caf%C3%A9?a=%20b');
  });
  it('without HTTP_HOST uses SERVER_NAME and a non-default port', () => {
    const e = env('http://x/') as Environ & Record<string, unknown>;
    delete e.HTTP_HOST;
    e.SERVER_NAME = 'srv';
    e.SERVER_PORT = '8080';
    assert.equal(requestUrl(e), 'http://srv:8080/');
    e.SERVER_PORT = '80';
    assert.equal(requestUrl(e), 'http://srv/');
    e.SERVER_NAME = '::1';
    assert.equal(requestUrl(e), 'http://[::1]/');
    // nginx sends an empty SERVER_NAME from a server without server_name: the path stays a path.
    e.SERVER_NAME = '';
    e.PATH_INFO = '/public';
    assert.equal(requestUrl(e), 'http://localhost/public');
  });
  it('QUERY_STRING bytes past ASCII reach the URL as their own escapes, not UTF-8 encoded again', () => {
    // `GET /p?q=café` sent unescaped: nginx passes the UTF-8 bytes, the environ holds them as latin-1.
    const e = env('http://x/p');
    e.QUERY_STRING = 'q=caf\u00c3\u00a9&r=%C3%A9&s=\u00e9';
    assert.equal(requestUrl(e), 'http://x/p?q=caf%C3%A9&r=%C3%A9&s=%E9');
    assert.equal(new URL(requestFromEnviron(e).url).searchParams.get('q'), 'café');
  });
  it('keeps a path that would otherwise look like a query or fragment', () => {
    const e = env('http://x/');
    e.PATH_INFO = '/a?b#c d';
    assert.equal(new URL(requestUrl(e)).pathname, '/a%3Fb%23c%20d');
  });
  it('carries headers, CONTENT_TYPE/LENGTH and the body', async () => {
    const e = env('http://x/up', {
      method: 'POST',
      body: 'payload',
      headers: { 'content-type': 'text/plain', 'content-length': '7', 'x-trace': 't1' },
    });
    const request = requestFromEnviron(e);
    assert.equal(request.method, 'POST');
    assert.equal(request.headers.get('content-type'), 'text/plain');
    assert.equal(request.headers.get('x-trace'), 't1');
    assert.equal(await request.text(), 'payload');
  });
  it('GET and HEAD have no body', () => {
    assert.equal(requestFromEnviron(env('http://x/')).body, null);
    assert.equal(requestFromEnviron(env('http://x/', { method: 'HEAD' })).body, null);
  });
});

describe('src/from-fetch: fromFetch', () => {
  it('runs a fetch handler as a TSGI app, Set-Cookie kept apart', async () => {
    const app = fromFetch((request) => {
      const headers = new Headers({ 'content-type': 'text/plain' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new Response(`you asked for ${new URL(request.url).pathname}`, {
        status: 202,
        headers,
      });
    });
    const res = await toFetch(app)(new Request('http://x/thing'));
    assert.equal(res.status, 202);
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(await res.text(), 'you asked for /thing');
  });
  it('round-trips a streamed request body', async () => {
    const app = fromFetch(async (request) => new Response(await request.arrayBuffer()));
    const body = new Uint8Array(300_000).map((_, i) => i % 199);
    const res = await toFetch(app)(new Request('http://x/', { method: 'PUT', body }));
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), body);
  });
  it('drops hop-by-hop headers the handler set', async () => {
    const app = fromFetch(
      () =>
        new Response('x', {
          headers: { connection: 'close', 'keep-alive': 'timeout=5', 'x-ok': '1' },
        }),
    );
    const res = await toFetch(app)(new Request('http://x/'));
    assert.equal(res.headers.get('connection'), null);
    assert.equal(res.headers.get('x-ok'), '1');
  });
  it('HEAD releases the body the handler produced', async () => {
    let cancelled = false;
    const app = fromFetch(
      () =>
        new Response(
          new ReadableStream({
            pull(c) {
              c.enqueue(new Uint8Array(10));
            },
            cancel() {
              cancelled = true;
            },
          }),
        ),
    );
    const res = await toFetch(app)(new Request('http://x/', { method: 'HEAD' }));
    assert.equal(res.status, 200);
    assert.equal(cancelled, true);
  });
  it('passes cloudflare.env and cloudflare.ctx as the handler arguments', async () => {
    const seen: unknown[] = [];
    const app = fromFetch((_request, ...args: unknown[]) => {
      seen.push(...args);
      return new Response('ok');
    });
    const ctx = { waitUntil() {} };
    await toFetch(app, { environ: () => ({ 'cloudflare.env': { K: 1 }, 'cloudflare.ctx': ctx }) })(
      new Request('http://x/'),
    );
    assert.deepEqual(seen, [{ K: 1 }, ctx]);
  });
  it('a Host that is no host[:port] is a 400 (ERR_TSGI_HOST_INVALID), the handler never runs', async () => {
    // Each of these makes the URL parser read another path or host than the environ's:
    // `a\admin?` + /public would route /admin; `x@y` would name host y.
    const lines: string[] = [];
    let calls = 0;
    const app = fromFetch((request) => {
      calls++;
      return new Response(new URL(request.url).pathname);
    });
    for (const host of ['a\\admin?', 'a?', 'a#', 'x@y', 'a/b', 'a b', 'h\u00e9.test']) {
      const e = env('http://x/public');
      e.HTTP_HOST = host;
      e['wsgi.errors'] = { write: (s: string) => void lines.push(s), writelines() {}, flush() {} };
      const response = await runApp(app, e);
      assert.equal(response.status, 400, host);
      await response.close();
      assert.throws(() => requestUrl(e), { code: 'ERR_TSGI_HOST_INVALID' });
    }
    assert.equal(calls, 0);
    assert.match(lines.join(''), /ERR_TSGI_HOST_INVALID/);
    for (const host of ['x.test', 'x.test:8080', 'X.Test', '[::1]:8080', '127.0.0.1', 'a_b.test']) {
      const e = env('http://x/public');
      e.HTTP_HOST = host;
      const response = await runApp(app, e);
      assert.equal(response.status, 200, host);
      await response.close();
    }
    assert.equal(calls, 6);
  });
  it('a handler that throws becomes a 500', async () => {
    const app = fromFetch(() => {
      throw new Error('handler failed');
    });
    const res = await toFetch(app, {
      environOptions: { errors: { write() {}, writelines() {}, flush() {} } },
    })(new Request('http://x/'));
    assert.equal(res.status, 500);
  });
  it('stopping early cancels the handler body', async () => {
    let cancelled = false;
    const app = fromFetch(
      () =>
        new Response(
          new ReadableStream({
            pull(c) {
              c.enqueue(new Uint8Array(10));
            },
            cancel() {
              cancelled = true;
            },
          }),
        ),
    );
    const res = await toFetch(app)(new Request('http://x/'));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    assert.equal(cancelled, true);
  });
  it('a body made from a string or bytes goes out whole, its stream never read', async () => {
    for (const body of ['made from text', new TextEncoder().encode('made from bytes')]) {
      let response: Response | undefined;
      const app = fromFetch(() => {
        response = new Response(body, { headers: { 'content-type': 'text/plain' } });
        return response;
      });
      const r = await runApp(app, env('http://x/'));
      const chunks: Uint8Array[] = [];
      for await (const c of r.body) chunks.push(c);
      await r.close();
      assert.equal(
        new TextDecoder().decode(Buffer.concat(chunks)),
        typeof body === 'string' ? body : 'made from bytes',
      );
      // Node ≤ 22 keeps the source where it can be read (Node 24 hides it: streamed there).
      const sourceAtHand = Object.getOwnPropertySymbols(new Response('x')).length > 0;
      assert.equal(r.complete, sourceAtHand);
      assert.equal(response!.bodyUsed, !sourceAtHand);
    }
  });
  it('a body already read from is streamed, not taken from its source', async () => {
    const app = fromFetch(async () => {
      const response = new Response('abcdef');
      const reader = response.body!.getReader();
      await reader.read();
      reader.releaseLock();
      return response;
    });
    const res = await toFetch(app)(new Request('http://x/'));
    assert.equal(await res.text(), '');
  });
  it('request.signal aborts when the server closes the response before its end', async () => {
    let signal: AbortSignal | undefined;
    const app = fromFetch((request) => {
      signal = request.signal;
      return new Response(
        new ReadableStream({
          pull(c) {
            c.enqueue(new Uint8Array(10));
          },
        }),
      );
    });
    const r = await runApp(app, env('http://x/'));
    const it = r.body[Symbol.asyncIterator]();
    await it.next();
    assert.equal(signal!.aborted, false);
    await it.return!();
    await r.close();
    assert.equal(signal!.aborted, true);
    assert.equal((signal!.reason as DOMException).name, 'AbortError');
  });
  it('request.signal stays quiet when the body is read to the end', async () => {
    let signal: AbortSignal | undefined;
    const app = fromFetch((request) => {
      signal = request.signal;
      return new Response(new Blob(['a', 'b']).stream());
    });
    const res = await toFetch(app)(new Request('http://x/'));
    assert.equal(await res.text(), 'ab');
    assert.equal(signal!.aborted, false);
  });
});
