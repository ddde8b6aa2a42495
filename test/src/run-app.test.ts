import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type App,
  type AppResponse,
  createErrors,
  type Environ,
  environFromRequest,
  runApp,
  startApp,
} from 'tsgi';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets pending promise callbacks run (a few turns of the event loop). */
const settle = () => new Promise((r) => setImmediate(r));

function environ(url = 'http://x/', init?: RequestInit): { environ: Environ; lines: string[] } {
  const lines: string[] = [];
  const e = environFromRequest(new Request(url, init), {
    errors: createErrors((l) => lines.push(l)),
  });
  return { environ: e, lines };
}

async function bodyText(response: AppResponse): Promise<string> {
  const parts: Uint8Array[] = [];
  try {
    for await (const c of response.body) parts.push(c);
  } finally {
    await response.close();
  }
  return new TextDecoder().decode(Buffer.concat(parts));
}

const plain: [string, string][] = [['Content-Type', 'text/plain']];

describe('src/run-app: committing the response', () => {
  it('an array body is complete, with its length counted', async () => {
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return ['hé', new Uint8Array([33]), ''];
    };
    const r = await runApp(app, environ().environ);
    assert.deepEqual([r.status, r.reason, r.statusLine, r.complete], [200, 'OK', '200 OK', true]);
    assert.equal(r.contentLength, 4);
    assert.equal(await bodyText(r), 'hé!');
  });
  it('a status without a reason gets the standard phrase', async () => {
    const app: App = (_e, s) => {
      s('404', plain);
      return [];
    };
    const r = await runApp(app, environ().environ);
    assert.equal(r.statusLine, '404 Not Found');
  });
  it('headers wait for the first non-empty chunk', async () => {
    const gate = deferred();
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return (async function* () {
        yield '';
        yield new Uint8Array(0);
        await gate.promise;
        yield 'data';
      })();
    };
    let committed = false;
    const pending = runApp(app, environ().environ).then((r) => {
      committed = true;
      return r;
    });
    await settle();
    assert.equal(committed, false);
    gate.resolve();
    const r = await pending;
    assert.equal(r.complete, false);
    assert.equal(await bodyText(r), 'data');
  });
  it('the response resolves while the generator is still suspended', async () => {
    const gate = deferred();
    let finished = false;
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return (async function* () {
        yield 'first ';
        await gate.promise;
        yield 'last';
        finished = true;
      })();
    };
    const r = await runApp(app, environ().environ);
    assert.equal(r.status, 200);
    assert.equal(finished, false);
    const it = r.body[Symbol.asyncIterator]();
    assert.equal(new TextDecoder().decode((await it.next()).value), 'first ');
    gate.resolve();
    assert.equal(new TextDecoder().decode((await it.next()).value), 'last');
    assert.equal((await it.next()).done, true);
    assert.equal(finished, true);
    await r.close();
  });
  it('an empty body commits when it ends (with Content-Length 0)', async () => {
    const app: App = (_e, s) => {
      s('204 No Content', []);
      return (function* () {})();
    };
    const r = await runApp(app, environ().environ);
    assert.deepEqual([r.status, r.complete, r.contentLength], [204, true, undefined]);
    const ok: App = (_e, s) => {
      s('200 OK', plain);
      return (function* () {})();
    };
    assert.equal((await runApp(ok, environ().environ)).contentLength, 0);
  });
  it('startApp hands back an array-body response without a promise', async () => {
    const array: App = (_e, s) => {
      s('200 OK', plain);
      return ['now'];
    };
    const ready = startApp(array, environ().environ);
    assert.equal(ready instanceof Promise, false);
    assert.equal(await bodyText(ready as AppResponse), 'now');
    const gen: App = (_e, s) => {
      s('200 OK', plain);
      return (async function* () {
        yield 'later';
      })();
    };
    const pending = startApp(gen, environ().environ);
    assert.equal(pending instanceof Promise, true);
    assert.equal(await bodyText(await pending), 'later');
  });
  it('many empty chunks before the first byte do not stall or block', async () => {
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return (function* () {
        for (let i = 0; i < 1000; i++) yield '';
        yield 'finally data';
      })();
    };
    assert.equal(await bodyText(await runApp(app, environ().environ)), 'finally data');
  });
  it('startResponse may be called lazily inside the first iteration', async () => {
    const app: App = (_e, s) =>
      (function* () {
        s('202 Accepted', plain);
        yield 'lazy';
      })();
    const r = await runApp(app, environ().environ);
    assert.equal(r.status, 202);
    assert.equal(await bodyText(r), 'lazy');
  });
});

describe('src/run-app: write()', () => {
  it('written chunks come before the iterable, in order', async () => {
    const app: App = async (_e, s) => {
      const write = s('200 OK', plain);
      await write('a');
      await write(new Uint8Array([98]));
      return ['c', 'd'];
    };
    assert.equal(await bodyText(await runApp(app, environ().environ)), 'abcd');
  });
  it('a write commits the headers before the app returns', async () => {
    const gate = deferred();
    const app: App = async (_e, s) => {
      const write = s('200 OK', plain);
      await write('early ');
      await gate.promise;
      await write('late ');
      return ['end'];
    };
    const r = await runApp(app, environ().environ);
    assert.equal(r.complete, false);
    const text = bodyText(r);
    gate.resolve();
    assert.equal(await text, 'early late end');
  });
  it('write() waits for the reader when a lot is queued (backpressure)', async () => {
    const big = new Uint8Array(100 * 1024);
    let writes = 0;
    const app: App = async (_e, s) => {
      const write = s('200 OK', plain);
      for (let i = 0; i < 4; i++) {
        await write(big);
        writes++;
      }
      return [];
    };
    const r = await runApp(app, environ().environ);
    await settle();
    assert.equal(writes, 1, 'the second 100 KiB write waits until the reader takes the queue');
    let total = 0;
    for await (const c of r.body) total += c.length;
    await r.close();
    assert.equal(total, 4 * big.length);
    assert.equal(writes, 4);
  });
  it('an empty write does not commit', async () => {
    const app: App = (_e, s) => {
      void s('200 OK', plain)('');
      return ['x'];
    };
    const r = await runApp(app, environ().environ);
    assert.equal(r.complete, true);
  });
});

describe('src/run-app: close()', () => {
  function tracked(events: string[], gate?: Promise<void>) {
    const app: App = (_e, s) => {
      s('200 OK', plain);
      const gen = (async function* () {
        try {
          yield 'a';
          if (gate) await gate;
          yield 'b';
        } finally {
          events.push('finally');
        }
      })();
      return Object.assign(gen, {
        close: () => {
          events.push('close');
        },
      });
    };
    return app;
  }
  it('runs after completion: return() then close(), once', async () => {
    const events: string[] = [];
    const r = await runApp(tracked(events), environ().environ);
    assert.equal(await bodyText(r), 'ab');
    await r.close();
    assert.deepEqual(events, ['finally', 'close']);
  });
  it('runs when the reader stops early', async () => {
    const events: string[] = [];
    const r = await runApp(tracked(events), environ().environ);
    const it = r.body[Symbol.asyncIterator]();
    await it.next();
    await r.close();
    assert.deepEqual(events, ['finally', 'close']);
  });
  it('runs for a complete (array) body', async () => {
    let closed = 0;
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return Object.assign(['x'], { close: () => void closed++ });
    };
    const r = await runApp(app, environ().environ);
    await r.close();
    await r.close();
    assert.equal(closed, 1);
  });
  it('runs after an error before the headers', async () => {
    const events: string[] = [];
    const app: App = (_e, s) => {
      s('200 OK', plain);
      // biome-ignore lint/correctness/useYield: it throws before its first chunk on purpose
      const gen = (function* (): Generator<string> {
        try {
          throw new Error('early');
        } finally {
          events.push('finally');
        }
      })();
      return Object.assign(gen, { close: () => void events.push('close') });
    };
    const r = await runApp(app, environ().environ);
    assert.equal(r.status, 500);
    await settle();
    assert.deepEqual(events, ['finally', 'close']);
  });
});

describe('src/run-app: excInfo', () => {
  it('before the headers went out, the app may change its mind', async () => {
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return (function* () {
        try {
          throw new Error('while rendering');
        } catch (error) {
          s('503 Service Unavailable', [['Content-Type', 'text/html']], error);
          yield '<p>sorry</p>';
        }
      })();
    };
    const r = await runApp(app, environ().environ);
    assert.equal(r.status, 503);
    assert.deepEqual(r.headers, [['Content-Type', 'text/html']]);
    assert.equal(await bodyText(r), '<p>sorry</p>');
  });
  it('after the headers went out, startResponse rethrows and the stream aborts', async () => {
    const late = new Error('too late');
    const { environ: e, lines } = environ();
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return (async function* () {
        yield 'partial';
        s('500 Oops', plain, late);
        yield 'never';
      })();
    };
    const r = await runApp(app, e);
    assert.equal(r.status, 200);
    await assert.rejects(bodyText(r), (err: { code?: string; cause?: unknown }) => {
      assert.equal(err.code, 'ERR_TSGI_APP_ERROR_AFTER_HEADERS');
      assert.equal(err.cause, late);
      return true;
    });
    assert.match(lines.join('\n'), /too late/);
  });
  it('a second call without excInfo is an app error (500)', async () => {
    const app: App = (_e, s) => {
      s('200 OK', plain);
      s('201 Created', plain);
      return [];
    };
    const r = await runApp(app, environ().environ);
    assert.equal(r.status, 500);
  });
});

describe('src/run-app: errors', () => {
  const cases: Array<[string, App, RegExp]> = [
    [
      'a sync throw',
      () => {
        throw new Error('sync boom');
      },
      /sync boom/,
    ],
    [
      'a rejected promise',
      async () => {
        throw new Error('async boom');
      },
      /async boom/,
    ],
    [
      'a throw before the first chunk',
      (_e, s) => {
        s('200 OK', plain);
        // biome-ignore lint/correctness/useYield: it throws before its first chunk on purpose
        return (function* (): Generator<string> {
          throw new Error('gen boom');
        })();
      },
      /gen boom/,
    ],
    ['no startResponse', () => ['x'], /ERR_TSGI_NO_START_RESPONSE/],
    [
      'a bare string body',
      ((_e: Environ, s: (a: string, b: [string, string][]) => void) => {
        s('200 OK', plain);
        return 'oops';
      }) as unknown as App,
      /ERR_TSGI_BODY_NOT_ITERABLE/,
    ],
    [
      'a number chunk',
      ((_e: Environ, s: (a: string, b: [string, string][]) => void) => {
        s('200 OK', plain);
        return [42];
      }) as unknown as App,
      /ERR_TSGI_CHUNK_TYPE/,
    ],
    [
      'a hop-by-hop header',
      (_e, s) => {
        s('200 OK', [['Transfer-Encoding', 'chunked']]);
        return [];
      },
      /ERR_TSGI_HOP_BY_HOP_HEADER/,
    ],
  ];
  for (const [what, app, logged] of cases) {
    it(`${what} → 500, logged to wsgi.errors and onError`, async () => {
      const { environ: e, lines } = environ('http://x/p');
      const seen: unknown[] = [];
      const r = await runApp(app, e, { onError: (err) => seen.push(err) });
      assert.equal(r.status, 500);
      assert.equal(r.complete, true);
      assert.deepEqual(r.headers[0], ['Content-Type', 'text/plain; charset=utf-8']);
      assert.equal(await bodyText(r), '500 Internal Server Error\n');
      assert.match(lines.join('\n'), logged);
      assert.match(lines.join('\n'), /GET \/p/);
      assert.equal(seen.length, 1);
    });
  }
  it('debug puts the stack in the 500 body', async () => {
    const app: App = () => {
      throw new Error('visible');
    };
    const r = await runApp(app, environ().environ, { debug: true });
    assert.match(await bodyText(r), /Error: visible\n\s+at /);
  });
  it('an error with a status keeps it', async () => {
    const app: App = () => {
      throw Object.assign(new Error('too big'), { status: 413 });
    };
    const r = await runApp(app, environ().environ);
    assert.equal(r.statusLine, '413 Content Too Large');
  });
  it('a throw mid-stream makes the body throw after the chunks sent so far', async () => {
    const { environ: e, lines } = environ();
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return (async function* () {
        yield 'one';
        throw new Error('mid-stream');
      })();
    };
    const r = await runApp(app, e);
    const got: string[] = [];
    await assert.rejects(async () => {
      for await (const c of r.body) got.push(new TextDecoder().decode(c));
    }, /ERR_TSGI_APP_ERROR_AFTER_HEADERS/);
    assert.deepEqual(got, ['one']);
    assert.match(lines.join('\n'), /mid-stream/);
    assert.ok(r.error instanceof Error);
  });
  it('a sync app that writes then throws aborts the stream (no hang)', async () => {
    const app: App = (_e, s) => {
      void s('200 OK', plain)('committed');
      throw new Error('sync after write');
    };
    const r = await runApp(app, environ().environ);
    assert.equal(r.status, 200);
    await assert.rejects(bodyText(r), /ERR_TSGI_APP_ERROR_AFTER_HEADERS/);
  });
  it('an app that fails after committing through write() aborts the stream', async () => {
    const app: App = async (_e, s) => {
      await s('200 OK', plain)('w');
      throw new Error('after write');
    };
    const r = await runApp(app, environ().environ);
    assert.equal(r.status, 200);
    await assert.rejects(bodyText(r), /ERR_TSGI_APP_ERROR_AFTER_HEADERS/);
  });
});

describe('src/run-app: Content-Length', () => {
  const withLength =
    (length: string, body: string[] | (() => AsyncGenerator<string>)): App =>
    (_e, s) => {
      s('200 OK', [...plain, ['Content-Length', length]]);
      return Array.isArray(body) ? body : body();
    };
  it('a declared length is kept', async () => {
    const r = await runApp(withLength('5', ['hello']), environ().environ);
    assert.equal(r.contentLength, 5);
    assert.equal(r.error, undefined);
  });
  it('more bytes than declared are cut off and logged', async () => {
    const { environ: e, lines } = environ();
    const r = await runApp(withLength('3', ['hello']), e);
    assert.equal(await bodyText(r), 'hel');
    assert.match(lines.join('\n'), /ERR_TSGI_CONTENT_LENGTH_MISMATCH/);
  });
  it('fewer bytes than declared in a buffered body → 500', async () => {
    const r = await runApp(withLength('10', ['short']), environ().environ);
    assert.equal(r.status, 500);
  });
  it('a streamed body that falls short aborts at the end', async () => {
    const r = await runApp(
      withLength('10', async function* () {
        yield 'short';
      }),
      environ().environ,
    );
    await assert.rejects(bodyText(r), /ERR_TSGI_CONTENT_LENGTH_MISMATCH/);
  });
  it('a streamed body over the length is cut off', async () => {
    const r = await runApp(
      withLength('4', async function* () {
        yield 'ab';
        yield 'cdef';
      }),
      environ().environ,
    );
    assert.equal(await bodyText(r), 'abcd');
  });
  it('HEAD answers may declare the length of a body they do not send', async () => {
    const r = await runApp(
      withLength('1234', []),
      environ('http://x/', { method: 'HEAD' }).environ,
    );
    assert.deepEqual([r.status, r.contentLength], [200, 1234]);
  });
});
