import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type App, createErrors, timing, toFetch, urlMap } from 'tsgi';

/** A clock that advances 5 ms per reading, so durations are fixed numbers. */
function fakeClock(): () => number {
  let t = 0;
  return () => {
    t += 5;
    return t;
  };
}

describe('src/middleware/timing', () => {
  it('adds Server-Timing and logs one line when the body is closed', async () => {
    const lines: string[] = [];
    const app: App = (_e, startResponse) => {
      startResponse('201 Created', [['Content-Type', 'text/plain']]);
      return ['made'];
    };
    const res = await toFetch(timing(app, { now: fakeClock() }), {
      environOptions: { errors: createErrors((l) => lines.push(l)) },
    })(new Request('http://x/things?y=1', { method: 'POST', body: '' }));
    assert.equal(res.headers.get('server-timing'), 'app;dur=5.0');
    assert.equal(await res.text(), 'made');
    assert.deepEqual(lines, ['POST /things 201 10.0ms']);
  });
  it('keeps streaming and runs the inner generator finally on close', async () => {
    const lines: string[] = [];
    let finalized = false;
    const app: App = (_e, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return (async function* () {
        try {
          yield 'a';
          yield 'b';
        } finally {
          finalized = true;
        }
      })();
    };
    const res = await toFetch(timing(app, { header: false }), {
      environOptions: { errors: createErrors((l) => lines.push(l)) },
    })(new Request('http://x/s'));
    assert.equal(res.headers.get('server-timing'), null);
    assert.equal(await res.text(), 'ab');
    assert.equal(finalized, true);
    assert.match(lines[0] ?? '', /^GET \/s 200 \d+\.\dms$/);
  });
  it('logs when the client cancels mid-stream', async () => {
    const lines: string[] = [];
    const app: App = (_e, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return (function* () {
        for (;;) yield 'tick';
      })();
    };
    const res = await toFetch(timing(app), {
      environOptions: { errors: createErrors((l) => lines.push(l)) },
    })(new Request('http://x/forever'));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    assert.match(lines[0] ?? '', /^GET \/forever 200 /);
  });
  it('composes with urlMap: the log shows the full path', async () => {
    const lines: string[] = [];
    const inner: App = (_e, s) => {
      s('200 OK', [['Content-Type', 'text/plain']]);
      return ['in'];
    };
    const app = timing(urlMap({ '/api': inner }), { now: fakeClock() });
    const res = await toFetch(app, {
      environOptions: { errors: createErrors((l) => lines.push(l)) },
    })(new Request('http://x/api/v1'));
    assert.equal(await res.text(), 'in');
    assert.deepEqual(lines, ['GET /api/v1 200 10.0ms']);
  });
});
