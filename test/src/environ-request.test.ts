/**
 * The lazy Request fromFetch hands to a handler: each observable part against a real Request
 * built from the same environ (requestFromEnviron), so a handler cannot tell them apart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abortRequest, type Environ, environFromRequest, environRequest } from 'tsgi';

const env = (url: string, init?: RequestInit) => environFromRequest(new Request(url, init));
const lazy = (e: Environ, strip = false) => environRequest(e, strip) as unknown as Request;

/** Node ≤ 22's Fetch (undici 6) keeps a Request's state under symbol keys; Node 24's does not. */
const KEEPS_STATE_ON_SYMBOLS = Object.getOwnPropertySymbols(new Request('http://x/')).length > 0;

function post(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) {
  return env('http://x.test/up', { method: 'POST', body, headers });
}

describe('src/environ-request: what a handler reads', () => {
  it('is a Request: instanceof, toStringTag, method, url', () => {
    const request = lazy(env('http://x.test/a/b?c=1&d=%20'));
    assert.ok(request instanceof Request);
    assert.equal(Object.prototype.toString.call(request), '[object Request]');
    assert.equal(request.method, 'GET');
    assert.equal(request.url, 'http://x.test/a/b?c=1&d=%20');
  });
  it('url is what the URL parser says, for odd hosts, ports, paths and queries too', () => {
    const cases: [string, Partial<Environ>][] = [
      ['http://x.test/', { HTTP_HOST: 'X.Test:80' }],
      ['http://x.test/', { HTTP_HOST: 'x.test:8080', PATH_INFO: '/a/../b/./c' }],
      ['http://x.test/', { PATH_INFO: '/caf\u00e9 "q"<>' }],
      ['http://x.test/', { QUERY_STRING: 'a=1 2&b="x"#frag' }],
      ['https://x.test/', { HTTP_HOST: 'x.test:443', PATH_INFO: '/%7e/~' }],
      ['http://x.test/', { HTTP_HOST: '[::1]:8000' }],
      ['http://x.test/', { QUERY_STRING: "a='quoted'" }],
      ['http://x.test/', { HTTP_HOST: '0x7f.1:8080' }],
      ['http://x.test/', { HTTP_HOST: '127.000.0.1' }],
      ['http://x.test/', { HTTP_HOST: 'x.test:0080' }],
      ['http://x.test/', { HTTP_HOST: 'x.test.', PATH_INFO: '/favicon.ico' }],
      ['http://x.test/', { PATH_INFO: '/.well-known/a', QUERY_STRING: 'q=%zz&r=[1]' }],
      ['http://x.test/', { PATH_INFO: '/a|b^c{d}', QUERY_STRING: 'b|c^d{}`' }],
      ['http://x.test/', { PATH_INFO: '/a\\b' }],
      ['https://x.test/', { HTTP_HOST: 'x.test:80' }],
    ];
    for (const [url, patch] of cases) {
      const e = Object.assign(env(url), patch);
      const real = new Request(
        `${e['wsgi.url_scheme']}://${e.HTTP_HOST}${encodeURI(e.PATH_INFO ?? '/')}`,
      );
      const got = lazy(e).url;
      assert.equal(got, new URL(got).href, JSON.stringify(patch));
      assert.equal(new URL(got).host, new URL(real.url).host, JSON.stringify(patch));
    }
  });
  it('SCRIPT_NAME stays in the URL unless stripped', () => {
    const e = env('http://x.test/app/page');
    e.SCRIPT_NAME = '/app';
    e.PATH_INFO = '/page';
    assert.equal(lazy(e).url, 'http://x.test/app/page');
    assert.equal(lazy(e, true).url, 'http://x.test/page');
  });
  it('headers: get and has from the environ, every other use as a real Headers', () => {
    const e = env('http://x.test/', {
      headers: { 'x-trace': 't1', accept: 'text/html', cookie: 'a=1; b=2' },
    });
    const request = lazy(e);
    const h = request.headers;
    assert.ok(h instanceof Headers);
    assert.equal(h.get('x_trace'), null, 'an underscore name is not the dashed header');
    assert.equal(h.get('X-Trace'), 't1');
    assert.equal(h.has('accept'), true);
    assert.equal(h.get('nope'), null);
    assert.equal(h.get('cookie'), 'a=1; b=2');
    assert.equal(request.headers, h, 'the same object each time');
    assert.throws(() => h.get('bad name'), TypeError);
    const pairs: string[] = [];
    h.forEach((v, k) => {
      pairs.push(`${k}=${v}`);
    });
    assert.ok(pairs.includes('x-trace=t1'));
    h.set('x-trace', 't2');
    assert.equal(h.get('x-trace'), 't2');
    assert.deepEqual(new Headers(h).get('x-trace'), 't2');
    assert.deepEqual(Object.fromEntries(h).accept, 'text/html');
  });
  it('Content-Type and Content-Length come from the CGI keys', () => {
    const e = post('hello', { 'content-type': 'text/plain' });
    e.CONTENT_LENGTH = '5';
    const request = lazy(e);
    assert.equal(request.headers.get('content-type'), 'text/plain');
    assert.equal(request.headers.get('content-length'), '5');
  });
  it('GET and HEAD have no body; a POST body reads once through any reader', async () => {
    assert.equal(lazy(env('http://x.test/')).body, null);
    assert.equal(lazy(env('http://x.test/', { method: 'HEAD' })).body, null);
    const request = lazy(post('{"a":[1,2]}', { 'content-type': 'application/json' }));
    assert.equal(request.bodyUsed, false);
    assert.deepEqual(await request.json(), { a: [1, 2] });
    assert.equal(request.bodyUsed, true);
    await assert.rejects(request.text(), TypeError);
    assert.throws(() => request.clone(), TypeError);
  });
  it('text, arrayBuffer, bytes and blob give the same bytes as a real Request', async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) & 255);
    assert.deepEqual(new Uint8Array(await lazy(post(bytes)).arrayBuffer()), bytes);
    const viaBytes = lazy(post(bytes)) as Request & { bytes(): Promise<Uint8Array> };
    assert.deepEqual(await viaBytes.bytes(), bytes);
    const blob = await lazy(post('caf\u00e9', { 'content-type': 'text/plain' })).blob();
    assert.equal(blob.type, 'text/plain');
    assert.equal(await blob.text(), 'caf\u00e9');
    assert.equal(await lazy(post('\ufeffbom')).text(), 'bom');
  });
  it('formData parses urlencoded and multipart bodies', async () => {
    const form = new FormData();
    form.append('name', 'ada');
    form.append('file', new Blob(['contents'], { type: 'text/plain' }), 'a.txt');
    const multipart = await lazy(
      environFromRequest(new Request('http://x.test/', { method: 'POST', body: form })),
    ).formData();
    assert.equal(multipart.get('name'), 'ada');
    assert.equal(await (multipart.get('file') as File).text(), 'contents');
    const urlencoded = await lazy(
      post('a=1&b=two', { 'content-type': 'application/x-www-form-urlencoded' }),
    ).formData();
    assert.equal(urlencoded.get('b'), 'two');
  });
  it('body is a stream over wsgi.input; reading it makes bodyUsed true', async () => {
    const request = lazy(post('streamed'));
    const body = request.body!;
    assert.equal(request.body, body);
    assert.equal(request.bodyUsed, false);
    assert.equal(await new Response(body).text(), 'streamed');
    assert.equal(request.bodyUsed, true);
  });
  it('clone() is a real Request with its own copy of the body', async () => {
    const request = lazy(post('twice', { 'x-a': '1' }));
    const copy = request.clone();
    assert.equal(Object.getPrototypeOf(copy), Request.prototype);
    assert.equal(copy.headers.get('x-a'), '1');
    assert.equal(await copy.text(), 'twice');
    assert.equal(await request.text(), 'twice');
  });
  it('new Request(request, init) works where the runtime keeps Request state on symbols', async () => {
    const request = lazy(post('moved', { 'x-a': '1' }));
    if (!KEEPS_STATE_ON_SYMBOLS) {
      // Node 24's Fetch keeps it in private fields: a TypeError, as documented (docs/spec.md).
      assert.throws(() => new Request(request), TypeError);
      return;
    }
    const again = new Request(request, { headers: { 'x-b': '2' } });
    assert.equal(again.url, 'http://x.test/up');
    assert.equal(again.method, 'POST');
    assert.equal(again.headers.get('x-b'), '2');
    assert.equal(await again.text(), 'moved');
  });
  it('new Request(request.url, request) works everywhere', async () => {
    const other = lazy(post('as init', { 'x-a': '1' }));
    const viaInit = new Request('http://y.test/', other);
    assert.equal(viaInit.method, 'POST');
    assert.equal(viaInit.headers.get('x-a'), '1');
    assert.equal(await viaInit.text(), 'as init');
  });
  it('the fields a browser fills in have a real Request’s values', () => {
    const real = new Request('http://x.test/');
    const request = lazy(env('http://x.test/'));
    for (const k of [
      'cache',
      'credentials',
      'destination',
      'integrity',
      'keepalive',
      'mode',
      'redirect',
      'referrer',
      'referrerPolicy',
    ] as const) {
      assert.equal(request[k], real[k], k);
    }
  });
  it('signal aborts (AbortError) when the server closes the response early, and only then', () => {
    const request = environRequest(env('http://x.test/'));
    const signal = (request as unknown as Request).signal;
    assert.equal(signal.aborted, false);
    abortRequest(request);
    assert.equal(signal.aborted, true);
    assert.equal((signal.reason as DOMException).name, 'AbortError');
    // Aborted before anyone asked: the signal is born aborted.
    const late = environRequest(env('http://x.test/'));
    abortRequest(late);
    assert.equal((late as unknown as Request).signal.aborted, true);
  });
});
