/**
 * toWorker inside real workerd (Miniflare 4, no mocks): the test worker in ./worker.ts is bundled
 * with esbuild and run twice, without and with the nodejs_compat flag.
 */
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { toFetch } from '../../../src/index.js';
import {
  bundleWorker,
  startWorker,
  type TempDir,
  tempDir,
  type WorkerRun,
} from '../../helpers/workerd.js';
import { app as workerApp } from './worker.js';

const ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));
const MiB = 1024 * 1024;
const decoder = new TextDecoder();
const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/** The worker's deterministic body bytes: byte i is (i * 31 + 7) & 255. */
function pattern(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7) & 255;
  return out;
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (sum * 31 + bytes[i]!) >>> 0;
  return sum;
}

let tmp: TempDir | undefined;
let script = '';

before(async () => {
  tmp = tempDir();
  script = await bundleWorker(ENTRY, tmp.dir);
});
after(() => tmp?.remove());

for (const flags of [[], ['nodejs_compat']]) {
  describe(`toWorker in workerd (${flags.length ? flags.join(', ') : 'no compatibility flags'})`, () => {
    let worker: WorkerRun | undefined;
    before(async () => {
      worker = await startWorker(script, {
        compatibilityFlags: flags,
        bindings: { GREETING: 'Howdy' },
        kvNamespaces: ['KV'],
      });
    });
    after(async () => {
      await worker?.dispose();
    });

    const request = async (path: string, init: RequestInit = {}) => {
      const res = await worker!.mf.dispatchFetch(`${worker!.url}${path}`, init as never);
      return res as unknown as Response;
    };
    const json = async (path: string, init: RequestInit = {}) => {
      const res = await request(path, init);
      assert.equal(res.status, 200, `${path}: ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    };

    /** Reads a KV key through the worker until it exists (bounded: 10 s). */
    const pollKv = async (key: string): Promise<string | undefined> => {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const res = await request(`/kv/get?key=${key}`);
        const text = await res.text();
        if (res.status === 200) return text;
        await sleep(50);
      }
      return undefined;
    };

    test('runs with exactly the compatibility flags of this run', async () => {
      const runtime = await json('/runtime');
      assert.equal(runtime.buffer, flags.includes('nodejs_compat') ? 'function' : 'undefined');
    });

    test('GET answers with status, headers and body', async () => {
      const res = await request('/hello?name=ada');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await res.text(), 'hello from workerd, ada');
    });

    test('HEAD sends the headers without a body', async () => {
      const res = await request('/hello', { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal((await res.arrayBuffer()).byteLength, 0);
    });

    test('POST with a text body reaches wsgi.input', async () => {
      const res = await request('/echo', {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'grüße, workerd',
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('x-method'), 'POST');
      assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await res.text(), 'grüße, workerd');
    });

    test('binary bodies keep every byte value both ways', async () => {
      const bytes = new Uint8Array(4096);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 255;
      const res = await request('/echo', {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('x-method'), 'PUT');
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);
    });

    test('streams: the first chunk arrives while the generator still waits', async () => {
      // text/plain is gzip-compressed by workerd for clients that accept it, and the compressor
      // holds small chunks; ask for identity so the stream itself is observed.
      const res = await request('/stream', { headers: { 'accept-encoding': 'identity' } });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      let first = '';
      while (!first.includes('\n')) {
        const r = await reader.read();
        assert.equal(r.done, false, 'the stream ended before its first line');
        first += decoder.decode(r.value, { stream: true });
      }
      // Had the adapter buffered the body, this read would only return after the worker's own
      // timeout, with both lines and "then timeout".
      assert.equal(first, 'first\n');
      const released = await request('/release');
      assert.equal(await released.text(), 'released');
      let rest = '';
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        rest += decoder.decode(r.value, { stream: true });
      }
      assert.equal(rest, 'then released\n');
    });

    test('a client that goes away mid-stream makes the adapter close the app’s body', async () => {
      const before = Number(await (await request('/closed')).text());
      const res = await request('/endless');
      const reader = res.body!.getReader();
      const first = await reader.read();
      assert.equal(first.done, false);
      await reader.cancel();
      const deadline = Date.now() + 10_000;
      let closed = before;
      while (closed === before && Date.now() < deadline) {
        await sleep(50);
        closed = Number(await (await request('/closed')).text());
      }
      assert.equal(closed, before + 1, 'close() was not called after the client left');
    });

    test('env bindings, ctx, cf and REMOTE_ADDR reach the environ', async () => {
      const env = await json('/env');
      assert.equal(env.greeting, 'Howdy');
      assert.equal(env.waitUntil, 'function');
      assert.equal(env.passThroughOnException, 'function');
      // Miniflare fills request.cf with placeholders (cf: false → no fetch); colo is one of them.
      assert.equal(env.cf, 'object');
      assert.equal(typeof env.colo, 'string');
      assert.equal(env.remoteAddr, '127.0.0.1');
    });

    test('REMOTE_ADDR follows CF-Connecting-IP', async () => {
      const env = await json('/env', { headers: { 'cf-connecting-ip': '203.0.113.9' } });
      assert.equal(env.remoteAddr, '203.0.113.9');
    });

    test('waitUntil keeps work alive after the response: a second request sees its KV write', async () => {
      const key = `k-${flags.length}-${Date.now()}`;
      const put = await request(`/kv/put?key=${key}&value=written-later`);
      assert.equal(put.status, 202);
      assert.equal(await put.text(), 'accepted');
      assert.equal(await pollKv(key), 'written-later');
    });

    test('a large request body streams into wsgi.input in chunks', async () => {
      const body = pattern(8 * MiB);
      const counted = await json('/count', { method: 'POST', body });
      assert.equal(counted.bytes, body.length);
      assert.equal(counted.sum, checksum(body));
      assert.ok((counted.chunks as number) > 1, `read in ${counted.chunks} chunk(s)`);
    });

    test('a large body streams back out as it comes in', async () => {
      const body = pattern(6 * MiB);
      const res = await request('/echo-stream', { method: 'POST', body });
      assert.equal(res.status, 200);
      const back = new Uint8Array(await res.arrayBuffer());
      assert.equal(back.length, body.length);
      assert.equal(checksum(back), checksum(body));
    });

    test('a large generated download arrives whole', async () => {
      const size = 8 * MiB + 123;
      const res = await request(`/big?bytes=${size}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-length'), String(size));
      const got = new Uint8Array(await res.arrayBuffer());
      assert.equal(got.length, size);
      assert.equal(checksum(got), checksum(pattern(size)));
    });

    test('an unknown path is the app’s 404, its reason phrase in statusText', async () => {
      const res = await request('/nope');
      assert.equal(res.status, 404);
      assert.equal(res.statusText, 'Not Found');
      assert.equal(await res.text(), 'no route for /nope');
    });

    test('an app error is a 500 without the stack; wsgi.errors and onError get it', async () => {
      const res = await request('/throw');
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.equal(text, '500 Internal Server Error\n');
      assert.doesNotMatch(text, /secret detail|\bat /);
      const log = await json('/log');
      assert.match((log.log as string[]).join('\n'), /ERR_TSGI_APP_ERROR \(GET \/throw\).*secret/);
      assert.ok((log.onError as string[]).includes('secret detail 1234'));
    });

    const cutLog = async () => {
      const log = await json('/log');
      assert.match(
        (log.log as string[]).join('\n'),
        /ERR_TSGI_APP_ERROR_AFTER_HEADERS \(GET \/fail-midway\).*failed midway/,
      );
      assert.ok((log.onError as string[]).includes('failed midway'));
    };

    test('an error after the headers with a declared length aborts the response', async () => {
      const res = await request('/fail-midway?length=100');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-length'), '100');
      // FixedLengthStream sees the body end short: workerd aborts, the client's read fails.
      await assert.rejects(res.arrayBuffer());
      await cutLog();
    });

    test('an error after the headers of a chunked body ends it short (a workerd limit)', async () => {
      const res = await request('/fail-midway');
      assert.equal(res.status, 200);
      // workerd closes a chunked body whose stream errored with the final empty chunk, so the
      // client cannot tell; only a declared Content-Length makes the cut visible (test above).
      assert.equal(await res.text(), 'part one\n');
      await cutLog();
    });

    test('with debug on, the 500 body carries the stack', async () => {
      const res = await request('/debug/throw');
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.match(text, /^500 Internal Server Error\n\nError: secret detail 1234\n\s+at /);
    });

    test('scriptName moves the mount point into SCRIPT_NAME', async () => {
      const seen = await json('/debug/environ');
      const environ = seen.environ as Record<string, string>;
      assert.equal(environ.SCRIPT_NAME, '/debug');
      assert.equal(environ.PATH_INFO, '/environ');
    });

    test('a Hono app runs through fromFetch with env and executionCtx', async () => {
      const hello = await request('/hono/hello/bob');
      assert.equal(hello.status, 200);
      assert.equal(await hello.text(), 'Howdy, bob (hono)');
      const posted = await json('/hono/json', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ a: [1, 'two'] }),
      });
      assert.deepEqual(posted, { got: { a: [1, 'two'] }, path: '/json' });
      // The handler's lazy Request, in workerd: a Request, headers from the environ, clone().
      const lazy = await json('/hono/lazy?x=1', { headers: { 'x-probe': 'p1' } });
      assert.equal(lazy.isRequest, true);
      assert.equal(lazy.probe, 'p1');
      assert.match(String(lazy.url), /^https?:\/\/[^/]+\/lazy\?x=1$/);
      assert.equal(lazy.clonedUrl, lazy.url);
      const later = await request('/hono/later');
      assert.equal(later.status, 202);
      assert.equal(await later.text(), 'queued');
      assert.equal(await pollKv('hono'), 'was here');
      const missing = await request('/hono/none');
      assert.equal(missing.status, 404);
      await missing.arrayBuffer();
    });

    test('the environ equals what toFetch builds in Node for the same request', async () => {
      const path = '/environ?q=caf%C3%A9&x=a+b&empty=';
      const inside = await json(path, {
        method: 'GET',
        headers: {
          // Header strings here are the wire bytes as latin-1: this one is UTF-8 "café".
          'x-utf8': 'caf\u00c3\u00a9',
          'x-multi': 'one, two',
          cookie: 'a=1; b=2',
          'content-type': 'text/plain',
        },
      });
      // Replay the request workerd saw through toFetch in Node. workerd hands header values over
      // UTF-8-decoded, so they go back to their wire bytes (as latin-1) for Node's Request.
      const wire = (inside.headers as [string, string][]).map(
        ([name, value]) => [name, latin1(new TextEncoder().encode(value))] as [string, string],
      );
      const replay = new Request(inside.url as string, {
        method: inside.method as string,
        headers: wire,
      });
      const handler = toFetch(workerApp, {
        environ: (r: Request) => ({ 'test.url': r.url, 'test.headers': [...r.headers] }),
      });
      const node = (await (await handler(replay)).json()) as Record<string, unknown>;
      const fromWorker = { ...(inside.environ as Record<string, unknown>) };
      const fromNode = node.environ as Record<string, unknown>;
      // Only the Worker knows the client address (CF-Connecting-IP).
      const headers = new Map(wire);
      assert.equal(fromWorker.REMOTE_ADDR, headers.get('cf-connecting-ip'));
      delete fromWorker.REMOTE_ADDR;
      assert.deepEqual(fromWorker, fromNode);
      // And the values are the ones PEP 3333 asks for.
      assert.equal(fromWorker.QUERY_STRING, 'q=caf%C3%A9&x=a+b&empty=');
      assert.equal(fromWorker.PATH_INFO, '/environ');
      assert.equal(fromWorker.SERVER_NAME, 'tsgi.example');
      assert.equal(fromWorker.SERVER_PORT, '8443');
      assert.equal(fromWorker['wsgi.url_scheme'], 'https');
      assert.equal(fromWorker.HTTPS, 'on');
      assert.equal(fromWorker.HTTP_X_UTF8, 'caf\u00c3\u00a9');
      assert.equal(fromWorker.HTTP_X_MULTI, 'one, two');
      assert.equal(fromWorker.HTTP_COOKIE, 'a=1; b=2');
      assert.equal(fromWorker.CONTENT_TYPE, 'text/plain');
    });

    test('response header values go on the wire as the app’s bytes; Set-Cookie stays two lines', async () => {
      // Raw HTTP to workerd (node:http keeps header bytes as latin-1), not through fetch.
      const url = await worker!.mf.ready;
      const wire = await new Promise<{ headers: Record<string, unknown>; raw: string[] }>(
        (resolve, reject) => {
          get(new URL('/headers-out', url), (res) => {
            res.resume();
            res.on('end', () => resolve({ headers: res.headers, raw: res.rawHeaders }));
          }).on('error', reject);
        },
      );
      assert.equal(wire.headers['x-utf8'], 'caf\u00c3\u00a9');
      // Bytes that are not UTF-8 cannot leave workerd; the latin-1 text is sent as UTF-8.
      assert.equal(wire.headers['x-latin1'], 'caf\u00c3\u00a9');
      assert.deepEqual(wire.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
    });

    test('header bytes that are not UTF-8 arrive as U+FFFD (a workerd limit), as its UTF-8 bytes', async () => {
      const inside = await json('/environ', { headers: { 'x-latin1': 'caf\u00e9' } });
      const environ = inside.environ as Record<string, string>;
      assert.equal(environ.HTTP_X_LATIN1, 'caf\u00ef\u00bf\u00bd');
    });

    test('header names with `_` are dropped: cf_connecting_ip cannot pick REMOTE_ADDR', async () => {
      const inside = await json('/environ', {
        headers: {
          cf_connecting_ip: '6.6.6.6',
          x_forwarded_proto: 'http',
          // Non-ASCII, so the byte fix-up pass sees it too.
          x_utf8: 'caf\u00c3\u00a9',
        },
      });
      const environ = inside.environ as Record<string, string>;
      assert.doesNotMatch(environ.HTTP_CF_CONNECTING_IP ?? '', /6\.6\.6\.6/);
      assert.notEqual(environ.REMOTE_ADDR, '6.6.6.6');
      assert.equal(environ.HTTP_X_FORWARDED_PROTO, undefined);
      assert.equal(environ.HTTP_X_UTF8, undefined);
    });
  });
}
