/**
 * The extensions in the core: toFetch's tsgi.waitUntil (the platform's when an argument has one,
 * its own otherwise, failures on wsgi.errors), its start-up hook (once, state in the environ, a
 * failure answers 503 and is retried), and the validator's knowledge of the new keys.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type App, createErrors, type Environ, toFetch, validator } from '../../src/index.js';

const ok = (body: string): ReturnType<App> => [body];

describe('toFetch: tsgi.waitUntil', () => {
  test("uses the waitUntil of a platform argument (Workers' ctx, Hono's executionCtx)", async () => {
    const held: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => held.push(p) };
    const work = Promise.resolve('later');
    const handler = toFetch((environ, start) => {
      environ['tsgi.waitUntil']!(work);
      start('200 OK', [['Content-Type', 'text/plain']]);
      return ok('now');
    });
    const res = await handler(new Request('http://x.test/'), {}, ctx);
    assert.equal(await res.text(), 'now');
    assert.deepEqual(held, [work]);
  });

  test('without one, the response does not wait and a failure goes to wsgi.errors', async () => {
    const lines: string[] = [];
    let finish: (() => void) | undefined;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    const handler = toFetch(
      (environ, start) => {
        environ['tsgi.waitUntil']!(slow.then(() => Promise.reject(new Error('mail bounced'))));
        start('200 OK', [['Content-Type', 'text/plain']]);
        return ok('now');
      },
      { environOptions: { errors: createErrors((t) => lines.push(t)) } },
    );
    const res = await handler(new Request('http://x.test/'));
    assert.equal(await res.text(), 'now');
    assert.deepEqual(lines, []);
    finish!();
    await new Promise((r) => setTimeout(r, 10));
    assert.match(lines.join('\n'), /^tsgi\.waitUntil task failed: Error: mail bounced/);
  });
});

describe('toFetch: start-up hook', () => {
  test('runs once before the first request; its result is tsgi.state', async () => {
    let runs = 0;
    const seen: unknown[] = [];
    const handler = toFetch(
      (environ: Environ, start) => {
        seen.push(environ['tsgi.state']);
        start('200 OK', [['Content-Type', 'text/plain']]);
        return ok('hi');
      },
      {
        startup: async () => {
          runs++;
          await new Promise((r) => setTimeout(r, 20));
          return { pool: 'ready' };
        },
      },
    );
    const replies = await Promise.all([1, 2, 3].map(() => handler(new Request('http://x.test/'))));
    await handler(new Request('http://x.test/'));
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200, 200],
    );
    assert.equal(runs, 1);
    assert.deepEqual(seen, [
      { pool: 'ready' },
      { pool: 'ready' },
      { pool: 'ready' },
      { pool: 'ready' },
    ]);
  });

  test('a failure answers 503 (logged) and the next request tries again', async () => {
    let runs = 0;
    const lines: string[] = [];
    const handler = toFetch(
      (_environ, start) => {
        start('200 OK', [['Content-Type', 'text/plain']]);
        return ok('hi');
      },
      {
        startup: () => {
          runs++;
          if (runs === 1) throw new Error('database unreachable');
          return 'second time lucky';
        },
        environOptions: { errors: createErrors((t) => lines.push(t)) },
      },
    );
    const first = await handler(new Request('http://x.test/'));
    assert.equal(first.status, 503);
    assert.match(lines.join(''), /ERR_TSGI_STARTUP_FAILED.*database unreachable/s);
    const second = await handler(new Request('http://x.test/'));
    assert.equal(second.status, 200);
    assert.equal(runs, 2);
  });
});

describe('validator: extension keys', () => {
  const app = validator((_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return ok('x');
  });
  const run = (extra: Record<string, unknown>) =>
    toFetch(app, { environ: () => extra })(new Request('http://x.test/'));

  test('a waitUntil that is not a function is a breach', async () => {
    const res = await run({ 'tsgi.waitUntil': 'soon' });
    assert.equal(res.status, 500, await res.text());
  });
  test('a websocket offer without accept() is a breach', async () => {
    assert.equal((await run({ 'tsgi.websocket': { protocols: [] } })).status, 500);
    assert.equal(
      (await run({ 'tsgi.websocket': { accept: () => {}, protocols: 'chat' } })).status,
      500,
    );
  });
  test('well-formed keys pass', async () => {
    const res = await run({ 'tsgi.websocket': { accept: async () => ({}), protocols: ['chat'] } });
    assert.equal(res.status, 200);
  });
});
