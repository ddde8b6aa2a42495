import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  addHeader,
  type Environ,
  environFromRequest,
  headerKey,
  percentDecodeToLatin1,
  splitScriptName,
} from 'tsgi';

const env = (url: string, init?: RequestInit, options = {}) =>
  environFromRequest(new Request(url, init), options);

describe('src/environ: environFromRequest', () => {
  it('a plain GET', () => {
    const e = env('http://example.test/hello?x=1');
    assert.equal(e.REQUEST_METHOD, 'GET');
    assert.equal(e.SCRIPT_NAME, '');
    assert.equal(e.PATH_INFO, '/hello');
    assert.equal(e.QUERY_STRING, 'x=1');
    assert.equal(e.REQUEST_URI, '/hello?x=1');
    assert.equal(e.SERVER_NAME, 'example.test');
    assert.equal(e.SERVER_PORT, '80');
    assert.equal(e.SERVER_PROTOCOL, 'HTTP/1.1');
    assert.equal(e.HTTP_HOST, 'example.test');
    assert.deepEqual(e['wsgi.version'], [1, 0]);
    assert.equal(e['wsgi.url_scheme'], 'http');
    assert.equal(e['wsgi.multithread'], false);
    assert.equal(e['wsgi.multiprocess'], true);
    assert.equal(e['wsgi.run_once'], false);
    assert.equal(e.HTTPS, undefined);
    assert.equal(e.CONTENT_TYPE, undefined);
    assert.equal(e['wsgi.input_terminated'], undefined);
  });
  it('percent-encoded paths are decoded to bytes, %2F included', () => {
    assert.equal(env('http://x/a%20b/c%2Fd').PATH_INFO, '/a b/c/d');
    assert.equal(env('http://x/a%20b/c%2Fd').REQUEST_URI, '/a%20b/c%2Fd');
    assert.equal(env('http://x/%FF%00').PATH_INFO, '/\u00ff\u0000');
  });
  it('unicode paths arrive as their UTF-8 bytes read as latin-1', () => {
    const e = env('http://x/café/€');
    assert.equal(e.PATH_INFO, '/caf\u00c3\u00a9/\u00e2\u0082\u00ac');
    assert.equal(
      new TextDecoder().decode(Uint8Array.from(e.PATH_INFO, (c) => c.charCodeAt(0))),
      '/café/€',
    );
  });
  it('the query string stays raw', () => {
    assert.equal(env('http://x/?a=%20&b=%2F&c').QUERY_STRING, 'a=%20&b=%2F&c');
    assert.equal(env('http://x/?q=é').QUERY_STRING, 'q=%C3%A9');
    assert.equal(env('http://x/?').QUERY_STRING, '');
    assert.equal(env('http://x/#frag').QUERY_STRING, '');
  });
  it('dot segments are resolved by the URL parser', () => {
    assert.equal(env('http://x/a/./b/../c').PATH_INFO, '/a/c');
  });
  it('headers become HTTP_*; duplicates are joined', () => {
    const headers = new Headers();
    headers.append('X-Forwarded-For', '10.0.0.1');
    headers.append('x-forwarded-for', '10.0.0.2');
    headers.append('Accept', 'text/html');
    const e = env('http://x/', { headers });
    assert.equal(e.HTTP_X_FORWARDED_FOR, '10.0.0.1, 10.0.0.2');
    assert.equal(e.HTTP_ACCEPT, 'text/html');
  });
  it('repeated Set-Cookie request headers (Fetch keeps them apart) are joined like other repeats', () => {
    const headers = new Headers();
    headers.append('Set-Cookie', 'a=1');
    headers.append('Accept', 'text/html');
    headers.append('set-cookie', 'b=2');
    headers.append('Cookie', 'c=3');
    headers.append('cookie', 'd=4');
    const e = env('http://x/', { headers });
    assert.equal(e.HTTP_SET_COOKIE, 'a=1, b=2');
    assert.equal(e.HTTP_COOKIE, 'c=3; d=4');
    assert.equal(e.HTTP_ACCEPT, 'text/html');
  });
  it('header names with `_` are dropped: they cannot merge into a dashed name', () => {
    const headers = new Headers();
    headers.append('X-Forwarded-For', '10.0.0.1');
    headers.append('x_forwarded_for', '6.6.6.6');
    headers.append('X_Forwarded_Proto', 'http');
    headers.append('X-Under_score', 'u');
    const e = env('https://x/', { headers });
    assert.equal(e.HTTP_X_FORWARDED_FOR, '10.0.0.1');
    assert.equal(e.HTTP_X_FORWARDED_PROTO, undefined);
    assert.equal(e.HTTP_X_UNDER_SCORE, undefined);
  });
  it('header values keep their bytes as latin-1', () => {
    const e = env('http://x/', { headers: { 'x-name': 'caf\u00e9' } });
    assert.equal(e.HTTP_X_NAME, 'caf\u00e9');
  });
  it('Content-Type/Length become CGI keys, never HTTP_CONTENT_*', () => {
    const e = env('http://x/', {
      method: 'POST',
      body: 'abc',
      headers: { 'content-type': 'text/plain', 'content-length': '3' },
    });
    assert.equal(e.CONTENT_TYPE, 'text/plain');
    assert.equal(e.CONTENT_LENGTH, '3');
    assert.equal(e.HTTP_CONTENT_TYPE, undefined);
    assert.equal(e.HTTP_CONTENT_LENGTH, undefined);
    assert.equal(e['wsgi.input_terminated'], undefined);
  });
  it('no Content-Type: the key is absent', () => {
    const e = env('http://x/', { method: 'POST', body: new Uint8Array([1, 2]) });
    assert.equal('CONTENT_TYPE' in e, false);
    assert.equal('HTTP_CONTENT_TYPE' in e, false);
  });
  it('a body without Content-Length sets wsgi.input_terminated', async () => {
    const e = env('http://x/', { method: 'PUT', body: 'hi' });
    assert.equal(e['wsgi.input_terminated'], true);
    assert.equal(new TextDecoder().decode(await e['wsgi.input'].read()), 'hi');
  });
  it('HEAD and other methods pass through', async () => {
    const head = env('http://x/h', { method: 'HEAD' });
    assert.equal(head.REQUEST_METHOD, 'HEAD');
    assert.equal((await head['wsgi.input'].read()).length, 0);
    assert.equal(env('http://x/', { method: 'PATCH', body: 'x' }).REQUEST_METHOD, 'PATCH');
    assert.equal(env('http://x/', { method: 'OPTIONS' }).REQUEST_METHOD, 'OPTIONS');
  });
  it('a large body reads back whole', async () => {
    const body = new Uint8Array(8 * 1024 * 1024).map((_, i) => i & 0xff);
    const e = env('http://x/', { method: 'POST', body });
    const got = await e['wsgi.input'].read();
    assert.equal(got.length, body.length);
    assert.deepEqual(got.subarray(-256), body.subarray(-256));
  });
  it('https URLs with a port', () => {
    const e = env('https://api.example.test:8443/v1?x');
    assert.equal(e['wsgi.url_scheme'], 'https');
    assert.equal(e.HTTPS, 'on');
    assert.equal(e.SERVER_NAME, 'api.example.test');
    assert.equal(e.SERVER_PORT, '8443');
    assert.equal(e.HTTP_HOST, 'api.example.test:8443');
    assert.equal(env('https://x/').SERVER_PORT, '443');
    assert.equal(env('http://x:8080/').SERVER_PORT, '8080');
  });
  it('IPv6 hosts lose their brackets in SERVER_NAME', () => {
    const e = env('http://[::1]:8080/');
    assert.equal(e.SERVER_NAME, '::1');
    assert.equal(e.HTTP_HOST, '[::1]:8080');
  });
  it('an explicit Host header wins over the URL', () => {
    assert.equal(env('http://x/', { headers: { host: 'other.test' } }).HTTP_HOST, 'other.test');
  });
  it('scriptName moves the mount point into SCRIPT_NAME', () => {
    const e = env('http://x/legacy/x', {}, { scriptName: '/legacy' });
    assert.deepEqual([e.SCRIPT_NAME, e.PATH_INFO], ['/legacy', '/x']);
    const root = env('http://x/legacy', {}, { scriptName: '/legacy/' });
    assert.deepEqual([root.SCRIPT_NAME, root.PATH_INFO], ['/legacy', '']);
    const other = env('http://x/legacyx', {}, { scriptName: '/legacy' });
    assert.deepEqual([other.SCRIPT_NAME, other.PATH_INFO], ['', '/legacyx']);
    const enc = env('http://x/caf%C3%A9/x', {}, { scriptName: '/caf%C3%A9' });
    assert.deepEqual([enc.SCRIPT_NAME, enc.PATH_INFO], ['/caf\u00c3\u00a9', '/x']);
  });
  it('pathStripped: the URL already lost the prefix', () => {
    const e = env('http://x/x', {}, { scriptName: '/legacy', pathStripped: true });
    assert.deepEqual([e.SCRIPT_NAME, e.PATH_INFO], ['/legacy', '/x']);
  });
  it('options: remote address, flags, extra keys', () => {
    const e = env(
      'http://x/',
      {},
      {
        remoteAddr: '192.0.2.1',
        multithread: true,
        runOnce: true,
        extra: { 'cloudflare.env': { A: 1 } },
      },
    );
    assert.equal(e.REMOTE_ADDR, '192.0.2.1');
    assert.equal(e['wsgi.multithread'], true);
    assert.equal(e['wsgi.run_once'], true);
    assert.deepEqual(e['cloudflare.env'], { A: 1 });
  });
  it('every CGI value is a latin-1 string', () => {
    const e = env('https://x:1/é?é', { headers: { 'x-a': '\u00ff' } }) as Record<string, unknown>;
    for (const [key, value] of Object.entries(e)) {
      if (key.includes('.')) continue;
      assert.equal(typeof value, 'string', key);
      assert.match(value as string, /^[\u0000-\u00ff]*$/, key);
    }
  });
});

describe('src/environ: the URL split agrees with the URL parser', () => {
  it('for any web URL', () => {
    fc.assert(
      fc.property(
        fc.webUrl({
          withQueryParameters: true,
          withFragments: true,
          validSchemes: ['http', 'https'],
        }),
        (href) => {
          const url = new URL(href);
          const e = environFromRequest(new Request(url));
          const https = url.protocol === 'https:';
          assert.equal(e['wsgi.url_scheme'], https ? 'https' : 'http');
          assert.equal(e.SERVER_NAME, url.hostname.replace(/^\[|\]$/g, ''));
          assert.equal(e.SERVER_PORT, url.port || (https ? '443' : '80'));
          assert.equal(e.HTTP_HOST, url.host);
          assert.equal(e.PATH_INFO, percentDecodeToLatin1(url.pathname));
          assert.equal(e.QUERY_STRING, url.search.slice(1));
          assert.equal(e.REQUEST_URI, url.pathname + url.search);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('src/environ: helpers', () => {
  it('headerKey', () => {
    assert.equal(headerKey('content-type'), 'HTTP_CONTENT_TYPE');
    assert.equal(headerKey('X-Request-Id'), 'HTTP_X_REQUEST_ID');
  });
  it('addHeader joins repeats, Cookie with "; ", and keeps CONTENT_* single', () => {
    const e: Record<string, unknown> = {};
    addHeader(e, 'Cookie', 'a=1');
    addHeader(e, 'cookie', 'b=2');
    addHeader(e, 'Accept', 'a');
    addHeader(e, 'accept', 'b');
    addHeader(e, 'Content-Length', '1');
    addHeader(e, 'content-length', '2');
    assert.equal(e.HTTP_COOKIE, 'a=1; b=2');
    assert.equal(e.HTTP_ACCEPT, 'a, b');
    assert.equal(e.CONTENT_LENGTH, '2');
    assert.equal((e as Partial<Environ>).HTTP_CONTENT_LENGTH, undefined);
  });
  it('headerKey gives the same key on repeated calls (cached) and for 1000 distinct names', () => {
    for (let round = 0; round < 3; round++) {
      assert.equal(headerKey('User-Agent'), 'HTTP_USER_AGENT');
      assert.equal(headerKey('user-agent'), 'HTTP_USER_AGENT');
      assert.equal(headerKey('X_Odd'), 'HTTP_X_ODD');
    }
    // More names than the cache holds: every one still maps correctly.
    for (let i = 0; i < 1000; i++) assert.equal(headerKey(`x-h${i}`), `HTTP_X_H${i}`);
    for (let i = 0; i < 1000; i++) assert.equal(headerKey(`x-h${i}`), `HTTP_X_H${i}`);
  });
  it('addHeader: only the exact Content-Type/Content-Length names become CGI keys', () => {
    const e: Record<string, unknown> = {};
    addHeader(e, 'CONTENT-TYPE', 'text/plain');
    addHeader(e, 'content_type', 'x');
    addHeader(e, 'Content_Length', '9');
    assert.equal(e.CONTENT_TYPE, 'text/plain');
    assert.equal(e.HTTP_CONTENT_TYPE, 'x');
    assert.equal(e.HTTP_CONTENT_LENGTH, '9');
    assert.equal(e.CONTENT_LENGTH, undefined);
  });
  it('splitScriptName', () => {
    assert.deepEqual(splitScriptName('/app/x', '/app'), ['/app', '/x']);
    assert.deepEqual(splitScriptName('/app', '/app'), ['/app', '']);
    assert.deepEqual(splitScriptName('/apple', '/app'), ['', '/apple']);
    assert.deepEqual(splitScriptName('/x', ''), ['', '/x']);
    assert.deepEqual(splitScriptName('/x', '/'), ['', '/x']);
  });
});
