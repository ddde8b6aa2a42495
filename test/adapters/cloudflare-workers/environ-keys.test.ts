/**
 * toWorker's own logic under Node's Fetch classes (no workerd needed for these facts): which keys
 * it adds, when, and that options reach the environ. The behaviour inside workerd is covered by
 * to-worker.test.ts; here Node stands in only as another Fetch host.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toWorker, type WorkerContext } from '../../../adapters/cloudflare-workers/index.js';
import type { App, Environ } from '../../../src/index.js';

const ctx: WorkerContext = { waitUntil: () => {}, passThroughOnException: () => {} };

/** Runs one request and returns the environ the app saw. */
async function seen(
  request: Request,
  options: Parameters<typeof toWorker>[1] = {},
  env: unknown = { A: 1 },
): Promise<Environ> {
  let got: Environ | undefined;
  const app: App = (environ, startResponse) => {
    got = environ;
    startResponse('200 OK', []);
    return [];
  };
  const res = await toWorker(app, options).fetch(request, env, ctx);
  await res.arrayBuffer();
  assert.ok(got);
  return got;
}

test('env and ctx are the very objects the Worker got; cf is absent when the request has none', async () => {
  const env = { GREETING: 'hi' };
  const environ = await seen(new Request('http://w.example/'), {}, env);
  assert.equal(environ['cloudflare.env'], env);
  assert.equal(environ['cloudflare.ctx'], ctx);
  assert.equal('cloudflare.cf' in environ, false);
  assert.equal(environ.REMOTE_ADDR, undefined);
  assert.equal(environ['wsgi.multithread'], false);
  assert.equal(environ['wsgi.multiprocess'], true);
});

test('cf and CF-Connecting-IP are passed on when present', async () => {
  const request = new Request('http://w.example/', {
    headers: { 'cf-connecting-ip': '2001:db8::1' },
  });
  const cf = { colo: 'AMS' };
  Object.defineProperty(request, 'cf', { value: cf });
  const environ = await seen(request);
  assert.equal(environ['cloudflare.cf'], cf);
  assert.equal(environ.REMOTE_ADDR, '2001:db8::1');
});

test('outside workerd, header values are already wire bytes and stay as they are', async () => {
  const environ = await seen(
    new Request('http://w.example/', { headers: { 'x-name': 'caf\u00c3\u00a9' } }),
  );
  assert.equal(environ.HTTP_X_NAME, 'caf\u00c3\u00a9');
});

test('scriptName, errors and environ options reach the environ', async () => {
  const lines: string[] = [];
  const environ = await seen(new Request('http://w.example/app/x?y=1'), {
    scriptName: '/app',
    errors: (line) => lines.push(line),
    environ: (request, env) => ({ 'my.url': request.url, 'my.env': env }),
  });
  assert.equal(environ.SCRIPT_NAME, '/app');
  assert.equal(environ.PATH_INFO, '/x');
  assert.equal(environ['my.url'], 'http://w.example/app/x?y=1');
  assert.deepEqual(environ['my.env'], { A: 1 });
  environ['wsgi.errors'].write('one\ntwo');
  environ['wsgi.errors'].flush();
  assert.deepEqual(lines, ['one', 'two']);
});

test('an app error is a 500 without the stack, with debug the stack; onError sees it', async () => {
  const errors: unknown[] = [];
  const app: App = () => {
    throw new Error('hidden 42');
  };
  const quiet = { errors: () => {}, onError: (e: unknown) => errors.push(e) };
  const plain = await toWorker(app, quiet).fetch(new Request('http://w.example/'), {}, ctx);
  assert.equal(plain.status, 500);
  assert.equal(await plain.text(), '500 Internal Server Error\n');
  const debug = await toWorker(app, { ...quiet, debug: true }).fetch(
    new Request('http://w.example/'),
    {},
    ctx,
  );
  assert.equal(debug.status, 500);
  assert.match(await debug.text(), /Error: hidden 42\n\s+at /);
  assert.equal(errors.length, 2);
});
