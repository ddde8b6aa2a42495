import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type App, createErrors, environFromRequest, runApp, toFetch, toResponse } from 'tsgi';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const plain: [string, string][] = [['Content-Type', 'text/plain']];
const dec = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

function logged() {
  const lines: string[] = [];
  return { lines, environOptions: { errors: createErrors((l) => lines.push(l)) } };
}

describe('src/to-fetch: toFetch', () => {
  it('status, reason, headers and body', async () => {
    const app: App = (_e, s) => {
      s('201 Made It', [
        ...plain,
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
        ['X-L', 'caf\u00e9'],
      ]);
      return ['done'];
    };
    const res = await toFetch(app)(new Request('http://x/'));
    assert.equal(res.status, 201);
    assert.equal(res.statusText, 'Made It');
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(res.headers.get('x-l'), 'caf\u00e9');
    assert.equal(await res.text(), 'done');
  });
  it("statusText is the app's reason phrase, the standard one too", async () => {
    for (const [line, reason] of [
      ['404 Not Found', 'Not Found'],
      ['200 OK', 'OK'],
      ['404 Nope', 'Nope'],
      ['404', 'Not Found'],
      ['599', 'Unknown'],
      ['599 Whatever', 'Whatever'],
      ['204 No Content', 'No Content'],
    ] as const) {
      const app: App = (_e, s) => {
        s(line, plain);
        return [];
      };
      const res = await toFetch(app)(new Request('http://x/'));
      assert.equal(res.statusText, reason, line);
      const head = await toFetch(app)(new Request('http://x/', { method: 'HEAD' }));
      assert.equal(head.statusText, reason, `HEAD ${line}`);
    }
  });
  it('the Response resolves while the generator is still suspended', async () => {
    const gate = deferred();
    let suspended = true;
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return (async function* () {
        yield 'head ';
        await gate.promise;
        suspended = false;
        yield 'tail';
      })();
    };
    const res = await toFetch(app)(new Request('http://x/'));
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    assert.equal(dec((await reader.read()).value), 'head ');
    assert.equal(suspended, true);
    gate.resolve();
    assert.equal(dec((await reader.read()).value), 'tail');
    assert.equal((await reader.read()).done, true);
  });
  it('pulls from the app only as the reader asks (backpressure)', async () => {
    let produced = 0;
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return (function* () {
        for (let i = 0; i < 1000; i++) {
          produced++;
          yield new Uint8Array(1024);
        }
      })();
    };
    const res = await toFetch(app)(new Request('http://x/'));
    const reader = res.body!.getReader();
    await reader.read();
    await new Promise((r) => setImmediate(r));
    assert.ok(produced < 10, `produced ${produced} chunks for one read`);
    await reader.cancel();
  });
  it('write() streams through the Response', async () => {
    const app: App = async (_e, s) => {
      const write = s('200 OK', plain);
      for (let i = 0; i < 20; i++) await write(new Uint8Array(16 * 1024).fill(i));
      return ['!'];
    };
    const res = await toFetch(app)(new Request('http://x/'));
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(bytes.length, 20 * 16 * 1024 + 1);
    assert.equal(bytes[19 * 16 * 1024], 19);
  });
  it('a large streamed body arrives whole', async () => {
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return (async function* () {
        for (let i = 0; i < 64; i++) yield new Uint8Array(64 * 1024).fill(i);
      })();
    };
    const res = await toFetch(app)(new Request('http://x/'));
    assert.equal((await res.arrayBuffer()).byteLength, 4 * 1024 * 1024);
  });
  it('close() runs after completion', async () => {
    const events: string[] = [];
    const app: App = (_e, s) => {
      s('200 OK', plain);
      const gen = (async function* () {
        try {
          yield 'x';
        } finally {
          events.push('finally');
        }
      })();
      return Object.assign(gen, { close: () => void events.push('close') });
    };
    const res = await toFetch(app)(new Request('http://x/'));
    await res.text();
    assert.deepEqual(events, ['finally', 'close']);
  });
  it("reader.cancel() runs the generator's finally and close()", async () => {
    const events: string[] = [];
    const app: App = (_e, s) => {
      s('200 OK', plain);
      const gen = (async function* () {
        try {
          for (;;) yield 'tick';
        } finally {
          events.push('finally');
        }
      })();
      return Object.assign(gen, { close: () => void events.push('close') });
    };
    const res = await toFetch(app)(new Request('http://x/'));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    assert.deepEqual(events, ['finally', 'close']);
  });
  it('a cancel while the app is parked closes it when it wakes', async () => {
    const events: string[] = [];
    const gate = deferred();
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return (async function* () {
        try {
          yield 'first';
          await gate.promise;
          yield 'never read';
          events.push('kept going');
        } finally {
          events.push('finally');
        }
      })();
    };
    const res = await toFetch(app)(new Request('http://x/'));
    const reader = res.body!.getReader();
    await reader.read();
    const pending = reader.read();
    const cancelled = reader.cancel();
    gate.resolve();
    await cancelled;
    await pending;
    assert.deepEqual(events, ['finally']);
  });
  it('a throw before the headers gives a 500 and logs it', async () => {
    const { lines, environOptions } = logged();
    const app: App = () => {
      throw new Error('kaboom');
    };
    const res = await toFetch(app, { environOptions })(new Request('http://x/'));
    assert.equal(res.status, 500);
    assert.equal(await res.text(), '500 Internal Server Error\n');
    assert.match(lines.join('\n'), /ERR_TSGI_APP_ERROR.*kaboom/s);
  });
  it('a throw mid-stream errors the body stream', async () => {
    const { lines, environOptions } = logged();
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return (async function* () {
        yield 'partial';
        throw new Error('mid');
      })();
    };
    const res = await toFetch(app, { environOptions })(new Request('http://x/'));
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    assert.equal(dec((await reader.read()).value), 'partial');
    await assert.rejects(reader.read(), /ERR_TSGI_APP_ERROR_AFTER_HEADERS/);
    assert.match(lines.join('\n'), /mid/);
  });
  it('HEAD: headers and status, no body, the app closed', async () => {
    let closed = false;
    const app: App = (_e, s) => {
      s('200 OK', [...plain, ['Content-Length', '42']]);
      return Object.assign(['x'.repeat(42)], {
        close: () => {
          closed = true;
        },
      });
    };
    const res = await toFetch(app)(new Request('http://x/', { method: 'HEAD' }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), '42');
    assert.equal(res.body, null);
    assert.equal(closed, true);
  });
  it('204 and 304 carry no body', async () => {
    for (const status of ['204 No Content', '304 Not Modified']) {
      const app: App = (_e, s) => {
        s(status, []);
        return [];
      };
      const res = await toFetch(app)(new Request('http://x/'));
      assert.equal(res.body, null);
    }
  });
  it('a 1xx final status cannot travel in a Response: 500', async () => {
    const app: App = (_e, s) => {
      s('103 Early Hints', plain);
      return ['x'];
    };
    const res = await toFetch(app)(new Request('http://x/'));
    assert.equal(res.status, 500);
  });
  it('scriptName and per-request environ keys from the platform arguments', async () => {
    const app: App = (e, s) => {
      s('200 OK', plain);
      return [`${e.SCRIPT_NAME}|${e.PATH_INFO}|${(e['cloudflare.env'] as { A: string }).A}`];
    };
    const handler = toFetch(app, {
      scriptName: '/mnt',
      environ: (_request, env) => ({ 'cloudflare.env': env }),
    });
    const res = await handler(new Request('http://x/mnt/a'), { A: 'bound' });
    assert.equal(await res.text(), '/mnt|/a|bound');
  });
  it('reads the request body through wsgi.input', async () => {
    const app: App = async (e, s) => {
      const line = await e['wsgi.input'].readline();
      const rest = await e['wsgi.input'].read();
      s('200 OK', plain);
      return [`${dec(line).trim()}+${rest.length}`];
    };
    const body = `first\n${'y'.repeat(100_000)}`;
    const res = await toFetch(app)(new Request('http://x/', { method: 'POST', body }));
    assert.equal(await res.text(), 'first+100000');
  });
});

describe('src/to-fetch: toResponse', () => {
  it('turns a committed AppResponse into a Response', async () => {
    const app: App = (_e, s) => {
      s('200 OK', plain);
      return ['a', 'b'];
    };
    const response = await runApp(app, environFromRequest(new Request('http://x/')));
    const res = toResponse(response, false);
    assert.equal(await res.text(), 'ab');
  });
});
