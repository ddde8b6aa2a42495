import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type App,
  createErrors,
  createInput,
  type Environ,
  environFromRequest,
  fromFetch,
  ResponseState,
  type StartResponse,
  toFetch,
  VALIDATOR_RULES,
  type ValidatorRule,
  validator,
} from 'tsgi';

/** An environ as our own server builds it, with wsgi.errors captured in `lines`. */
function makeEnviron(url = 'http://example.test/path?q=1', init?: RequestInit) {
  const lines: string[] = [];
  const environ = environFromRequest(new Request(url, init), {
    errors: createErrors((line) => lines.push(line)),
  });
  return { environ, lines };
}

/** A server-side startResponse (the core's own state machine). */
function serverStart(): { start: StartResponse; state: ResponseState } {
  const state = new ResponseState(async () => {});
  return { start: state.startResponse, state };
}

const breach = (rule: ValidatorRule) => (error: unknown) => {
  const e = error as { code?: string; rule?: string; message?: string };
  assert.equal(e.code, 'ERR_TSGI_VALIDATOR', String(error));
  assert.equal(e.rule, rule, e.message);
  assert.match(e.message ?? '', new RegExp(`\\[${rule}\\]`));
  return true;
};

const ok: App = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return ['ok'];
};

/** Calls the validated app with a patched environ; returns what it returned. */
function callWith(patch: (environ: Record<string, unknown>) => void, app: App = ok) {
  const { environ } = makeEnviron();
  patch(environ as Record<string, unknown>);
  return validator(app)(environ, serverStart().start);
}

/** Drains a body (sync or async) the way a server would, then closes it. */
async function drain(body: unknown): Promise<unknown[]> {
  const out: unknown[] = [];
  const b = body as AsyncIterable<unknown> & { close?: () => unknown };
  try {
    for await (const c of b) out.push(c);
  } finally {
    await b.close?.();
  }
  return out;
}

/** An app that does `step` with startResponse, then returns a small body. */
function appDoing(step: (start: StartResponse, environ: Environ) => void): App {
  return (environ, startResponse) => {
    step(startResponse, environ);
    return ['x'];
  };
}

describe('validator: a clean app behind our own server passes', () => {
  const requests = [
    new Request('http://example.test/'),
    new Request('https://example.test:8443/caf%C3%A9/%E2%82%AC?a=1&a=2'),
    new Request('http://example.test/upload', {
      method: 'POST',
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '3' },
    }),
    new Request('http://example.test/h', { method: 'HEAD' }),
  ];
  for (const request of requests) {
    it(`${request.method} ${request.url}`, async () => {
      const lines: string[] = [];
      const app: App = async (environ, startResponse) => {
        const body = await environ['wsgi.input'].read();
        startResponse('200 OK', [['Content-Type', 'text/plain']]);
        return (async function* () {
          yield `${environ.PATH_INFO} ${body.length}`;
        })();
      };
      const res = await toFetch(validator(app), {
        environOptions: { errors: createErrors((l) => lines.push(l)) },
      })(request);
      assert.equal(res.status, 200, lines.join('\n'));
      await res.arrayBuffer();
      assert.deepEqual(lines, []);
    });
  }
  it('a fetch handler wrapped by fromFetch passes too', async () => {
    const lines: string[] = [];
    const app = fromFetch(() => new Response('hi', { headers: { 'content-type': 'text/plain' } }));
    const res = await toFetch(validator(app), {
      environOptions: { errors: createErrors((l) => lines.push(l)) },
    })(new Request('http://example.test/x'));
    assert.equal(await res.text(), 'hi');
    assert.deepEqual(lines, []);
  });
  it('every rule has a description', () => {
    assert.ok(Object.keys(VALIDATOR_RULES).length >= 40);
    for (const text of Object.values(VALIDATOR_RULES)) assert.ok(text.length > 10);
  });
});

describe('validator: the application call', () => {
  it('app-arguments: the server passes exactly two arguments', () => {
    const { environ } = makeEnviron();
    const validated = validator(ok) as unknown as (...a: unknown[]) => unknown;
    assert.throws(() => validated(environ), breach('app-arguments'));
    assert.throws(() => validated(environ, 'start'), breach('app-arguments'));
  });
  it('app-result: the app returns a body', async () => {
    const app = (() => undefined) as unknown as App;
    assert.throws(() => callWith(() => {}, app), breach('app-result'));
    const asyncApp = (async () => null) as unknown as App;
    await assert.rejects(async () => callWith(() => {}, asyncApp), breach('app-result'));
  });
  it('body-not-bytes: a bare string is not a body', () => {
    const app = ((_e: Environ, s: StartResponse) => {
      s('200 OK', [['Content-Type', 'text/plain']]);
      return 'hello';
    }) as unknown as App;
    assert.throws(() => callWith(() => {}, app), breach('body-not-bytes'));
  });
  it('body-iterable: the body is iterable', () => {
    const app = (() => ({ length: 1 })) as unknown as App;
    assert.throws(() => callWith(() => {}, app), breach('body-iterable'));
  });
  it('body-chunk: chunks are Uint8Array or string', async () => {
    const app = ((_e: Environ, s: StartResponse) => {
      s('200 OK', [['Content-Type', 'text/plain']]);
      return [42];
    }) as unknown as App;
    await assert.rejects(drain(callWith(() => {}, app)), breach('body-chunk'));
  });
  it('start-response-called: no chunk before startResponse', async () => {
    const app: App = () => ['too early'];
    await assert.rejects(drain(callWith(() => {}, app)), breach('start-response-called'));
    const empty: App = () => [];
    await assert.rejects(drain(callWith(() => {}, empty)), breach('start-response-called'));
  });
  it('start-response-called: a generator may call it lazily, inside its first step', async () => {
    const app: App = (_e, s) =>
      (function* () {
        s('200 OK', [['Content-Type', 'text/plain']]);
        yield 'late but fine';
      })();
    assert.deepEqual(await drain(callWith(() => {}, app)), ['late but fine']);
  });
  it('body-after-close: no iteration after close()', async () => {
    const body = callWith(() => {}) as Iterable<unknown> & { close(): void };
    const it = body[Symbol.iterator]();
    it.next();
    body.close();
    assert.throws(() => it.next(), breach('body-after-close'));
  });
  it('body-close: a body dropped without close() is reported when collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { environ, lines } = makeEnviron();
    (() => {
      const body = validator(ok)(environ, serverStart().start) as Iterable<unknown>;
      for (const _ of body) {
        // a server that forgets close()
      }
    })();
    for (let i = 0; i < 50 && lines.length === 0; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    assert.match(lines.join('\n'), /warning \[body-close\]/);
  });
  it('body-close: close() forwards to the iterator and the body', async () => {
    const events: string[] = [];
    const app: App = (_e, s) => {
      s('200 OK', [['Content-Type', 'text/plain']]);
      const gen = (function* () {
        try {
          yield 'a';
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
    const body = callWith(() => {}, app) as Iterable<unknown> & { close(): void };
    body[Symbol.iterator]().next();
    body.close();
    assert.deepEqual(events, ['finally', 'close']);
  });
});

describe('validator: environ', () => {
  it('environ-object: a plain object', () => {
    const { environ } = makeEnviron();
    const start = serverStart().start;
    class Env {}
    const instance = Object.assign(new Env(), environ) as unknown as Environ;
    assert.throws(() => validator(ok)(instance, start), breach('environ-object'));
    const map = new Map(Object.entries(environ)) as unknown as Environ;
    assert.throws(() => validator(ok)(map, start), breach('environ-object'));
  });
  const cases: Array<[ValidatorRule, string, (e: Record<string, unknown>) => void]> = [
    ['environ-required', 'SERVER_PROTOCOL missing', (e) => delete e.SERVER_PROTOCOL],
    ['environ-required', 'wsgi.run_once missing', (e) => delete e['wsgi.run_once']],
    ['environ-required', 'QUERY_STRING missing', (e) => delete e.QUERY_STRING],
    ['environ-http-content', 'HTTP_CONTENT_TYPE', (e) => (e.HTTP_CONTENT_TYPE = 'text/plain')],
    ['environ-http-content', 'HTTP_CONTENT_LENGTH', (e) => (e.HTTP_CONTENT_LENGTH = '3')],
    ['environ-cgi-string', 'a number', (e) => (e.SERVER_PORT = 80)],
    ['environ-cgi-string', 'a char above U+00FF', (e) => (e.PATH_INFO = '/\u20ac')],
    ['environ-version', 'wsgi.version [1, 1]', (e) => (e['wsgi.version'] = [1, 1])],
    ['environ-version', 'wsgi.version "1.0"', (e) => (e['wsgi.version'] = '1.0')],
    ['environ-url-scheme', 'ftp', (e) => (e['wsgi.url_scheme'] = 'ftp')],
    ['environ-flags', 'run_once as a string', (e) => (e['wsgi.run_once'] = 'no')],
    ['environ-flags', 'input_terminated as 1', (e) => (e['wsgi.input_terminated'] = 1)],
    ['environ-method', 'empty method', (e) => (e.REQUEST_METHOD = '')],
    ['environ-method', 'method with a space', (e) => (e.REQUEST_METHOD = 'GET X')],
    ['environ-server', 'empty SERVER_PORT', (e) => (e.SERVER_PORT = '')],
    ['environ-server', 'empty SERVER_NAME', (e) => (e.SERVER_NAME = '')],
    ['environ-script-name', "SCRIPT_NAME '/'", (e) => (e.SCRIPT_NAME = '/')],
    ['environ-script-name', 'relative SCRIPT_NAME', (e) => (e.SCRIPT_NAME = 'app')],
    ['environ-path-info', 'relative PATH_INFO', (e) => (e.PATH_INFO = 'x')],
    ['environ-content-length', 'negative', (e) => (e.CONTENT_LENGTH = '-1')],
    ['environ-content-length', 'not a number', (e) => (e.CONTENT_LENGTH = '3 bytes')],
    [
      'environ-input',
      'no readlines',
      (e) => {
        const input = createInput(new Uint8Array(0));
        e['wsgi.input'] = { read: input.read.bind(input), readline: input.readline.bind(input) };
      },
    ],
    ['environ-errors', 'no flush', (e) => (e['wsgi.errors'] = { write() {}, writelines() {} })],
  ];
  for (const [rule, what, patch] of cases) {
    it(`${rule}: ${what}`, () => {
      assert.throws(() => callWith(patch), breach(rule));
    });
  }
  it('environ-method: an unknown method is only a warning', async () => {
    const { environ, lines } = makeEnviron();
    environ.REQUEST_METHOD = 'BREW';
    await drain(validator(ok)(environ, serverStart().start));
    assert.match(lines.join('\n'), /warning \[environ-method\]: unknown REQUEST_METHOD BREW/);
  });
});

describe('validator: wsgi.input and wsgi.errors in use', () => {
  const post = () =>
    makeEnviron('http://example.test/', { method: 'POST', body: 'line1\nline2\n' }).environ;
  /** Runs `use(environ)` inside a validated app and returns its promise. */
  function inApp(environ: Environ, use: (e: Environ) => Promise<unknown> | unknown) {
    let done: Promise<unknown> = Promise.resolve();
    validator((e, s) => {
      done = (async () => use(e))();
      s('200 OK', [['Content-Type', 'text/plain']]);
      return [];
    })(environ, serverStart().start);
    return done;
  }
  it('input: read, readline, readlines and iteration pass through', async () => {
    const lines = await inApp(post(), async (e) => [
      await e['wsgi.input'].readline(),
      await e['wsgi.input'].readlines(),
    ]);
    const text = (lines as [Uint8Array, Uint8Array[]])
      .flat()
      .map((b) => new TextDecoder().decode(b));
    assert.deepEqual(text, ['line1\n', 'line2\n']);
  });
  it('input-arguments: read(size) takes one integer', async () => {
    await assert.rejects(
      inApp(post(), (e) => e['wsgi.input'].read(1.5)),
      breach('input-arguments'),
    );
    const read = (e: Environ) => (e['wsgi.input'].read as (...a: unknown[]) => unknown)(1, 2);
    await assert.rejects(inApp(post(), read), breach('input-arguments'));
    const readline = (e: Environ) => (e['wsgi.input'].readline as (a: unknown) => unknown)('1');
    await assert.rejects(inApp(post(), readline), breach('input-arguments'));
  });
  it('input-result: the server resolves reads to Uint8Array', async () => {
    const environ = post();
    const real = environ['wsgi.input'];
    environ['wsgi.input'] = {
      ...real,
      read: async () => 'text' as unknown as Uint8Array,
      readline: real.readline.bind(real),
      readlines: real.readlines.bind(real),
      [Symbol.asyncIterator]: () => real[Symbol.asyncIterator](),
    };
    await assert.rejects(
      inApp(environ, (e) => e['wsgi.input'].read()),
      breach('input-result'),
    );
  });
  it('input-concurrent: one read at a time', async () => {
    await assert.rejects(
      inApp(post(), (e) => Promise.all([e['wsgi.input'].read(2), e['wsgi.input'].read(2)])),
      breach('input-concurrent'),
    );
  });
  it('input-close: the app never closes wsgi.input', async () => {
    const close = (e: Environ) => (e['wsgi.input'] as unknown as { close(): void }).close();
    await assert.rejects(inApp(post(), close), breach('input-close'));
  });
  it('errors-string: wsgi.errors takes strings', async () => {
    const write = (e: Environ) => e['wsgi.errors'].write(42 as unknown as string);
    await assert.rejects(inApp(post(), write), breach('errors-string'));
    const lines = (e: Environ) => e['wsgi.errors'].writelines(['a', 1] as unknown as string[]);
    await assert.rejects(inApp(post(), lines), breach('errors-string'));
  });
  it('errors-close: the app never closes wsgi.errors', async () => {
    const close = (e: Environ) => (e['wsgi.errors'] as unknown as { close(): void }).close();
    await assert.rejects(inApp(post(), close), breach('errors-close'));
  });
});

describe('validator: startResponse and write()', () => {
  const callApp = (step: (start: StartResponse) => void) => callWith(() => {}, appDoing(step));
  const ct: [string, string] = ['Content-Type', 'text/plain'];
  const cases: Array<[ValidatorRule, string, (s: StartResponse) => void]> = [
    [
      'start-response-arguments',
      'one argument',
      (s) => (s as unknown as (a: string) => void)('200 OK'),
    ],
    ['status', 'a number', (s) => s(200 as unknown as string, [ct])],
    ['status', 'two digits', (s) => s('20 OK', [ct])],
    ['status', 'below 100', (s) => s('099 Low', [ct])],
    ['status', 'above 599', (s) => s('600 High', [ct])],
    ['status', '999', (s) => s('999 Nine', [ct])],
    ['status', 'CR LF', (s) => s('200 OK\r\n', [ct])],
    ['headers-array', 'an object', (s) => s('200 OK', { 'Content-Type': 'x' } as never)],
    ['header-pair', 'a lone name', (s) => s('200 OK', [['Content-Type'] as never])],
    ['header-pair', 'a number value', (s) => s('200 OK', [['X-N', 1] as never, ct])],
    ['header-status', 'Status', (s) => s('200 OK', [['Status', '200'], ct])],
    ['header-name', 'a space', (s) => s('200 OK', [['X Foo', '1'], ct])],
    ['header-name', 'a trailing dash', (s) => s('200 OK', [['X-', '1'], ct])],
    ['header-name', 'a colon', (s) => s('200 OK', [['X:Y', '1'], ct])],
    ['header-value', 'CR LF', (s) => s('200 OK', [['X-A', 'a\r\nSet-Cookie: x'], ct])],
    ['header-value', 'a euro sign', (s) => s('200 OK', [['X-A', '\u20ac'], ct])],
    ['header-hop-by-hop', 'Connection', (s) => s('200 OK', [['Connection', 'close'], ct])],
    [
      'header-hop-by-hop',
      'Transfer-Encoding',
      (s) => s('200 OK', [['Transfer-Encoding', 'x'], ct]),
    ],
    ['content-type', 'missing on 200', (s) => s('200 OK', [])],
    ['content-type', 'present on 204', (s) => s('204 No Content', [ct])],
    ['content-type', 'present on 304', (s) => s('304 Not Modified', [ct])],
    ['exc-info', 'a string', (s) => s('500 Oops', [ct], 'oops')],
    ['exc-info', 'true', (s) => s('500 Oops', [ct], true)],
    [
      'start-response-twice',
      'no excInfo',
      (s) => {
        s('200 OK', [ct]);
        s('500 Oops', [ct]);
      },
    ],
    ['write-chunk', 'a number', (s) => s('200 OK', [ct])(42 as unknown as string)],
  ];
  for (const [rule, what, step] of cases) {
    it(`${rule}: ${what}`, () => {
      assert.throws(() => callApp(step), breach(rule));
    });
  }
  it('content-type: 204 and 304 without Content-Type pass', async () => {
    await drain(callApp((s) => s('204 No Content', [])));
    await drain(callApp((s) => s('304 Not Modified', [['ETag', '"1"']])));
  });
  it('status: a status without a reason phrase is a warning', async () => {
    const { environ, lines } = makeEnviron();
    await drain(
      validator(appDoing((s) => s('200', [['Content-Type', 'x']])))(environ, serverStart().start),
    );
    assert.match(lines.join('\n'), /warning \[status\]/);
  });
  it('start-response-twice: a second call with excInfo before headers is allowed', async () => {
    const body = callApp((s) => {
      s('200 OK', [ct]);
      s('500 Oops', [ct], new Error('changed my mind'));
    });
    assert.deepEqual(await drain(body), ['x']);
  });
  it('exc-info-rethrow: the server must throw excInfo once headers were sent', async () => {
    const { environ } = makeEnviron();
    const lax: StartResponse = () => async () => {};
    const app: App = (_e, s) =>
      (function* () {
        s('200 OK', [ct]);
        yield 'sent';
        s('500 Oops', [ct], new Error('too late'));
        yield 'never';
      })();
    const body = validator(app)(environ, lax) as Iterable<unknown>;
    const it = body[Symbol.iterator]();
    it.next();
    assert.throws(() => it.next(), breach('exc-info-rethrow'));
  });
  it('exc-info-rethrow: our own startResponse rethrows excInfo', async () => {
    const { environ } = makeEnviron();
    const boom = new Error('too late');
    const app: App = (_e, s) =>
      (function* () {
        s('200 OK', [ct]);
        yield 'sent';
        s('500 Oops', [ct], boom);
      })();
    const { start, state } = serverStart();
    const body = validator(app)(environ, start) as Iterable<unknown>;
    const it = body[Symbol.iterator]();
    it.next();
    state.sent = true;
    assert.throws(
      () => it.next(),
      (e) => e === boom,
    );
  });
  it('write-callable: the server returns write', () => {
    const { environ } = makeEnviron();
    const noWrite = (() => undefined) as unknown as StartResponse;
    assert.throws(() => validator(ok)(environ, noWrite), breach('write-callable'));
  });
  it('write-chunk: strings and bytes pass', async () => {
    const body = callApp((s) => {
      const write = s('200 OK', [ct]);
      void write('a');
      void write(new Uint8Array([98]));
    });
    assert.deepEqual(await drain(body), ['x']);
  });
  it('write-after-end: a write() once the body ended is a breach (the server drops it)', async () => {
    let write: ((chunk: string) => unknown) | undefined;
    const body = callApp((s) => {
      write = s('200 OK', [ct]) as (chunk: string) => unknown;
    });
    assert.deepEqual(await drain(body), ['x']);
    assert.throws(() => write!('late'), breach('write-after-end'));
  });
  it('write-after-end: a write() once the server closed the body is a breach', async () => {
    const { environ } = makeEnviron();
    let write: ((chunk: string) => unknown) | undefined;
    const app: App = (_e, s) => {
      write = s('200 OK', [ct]) as (chunk: string) => unknown;
      return (function* () {
        yield 'a';
        yield 'b';
      })();
    };
    const body = validator(app)(environ, serverStart().start) as Iterable<unknown> & {
      close(): unknown;
    };
    body[Symbol.iterator]().next();
    void write!('during');
    body.close();
    assert.throws(() => write!('after close'), breach('write-after-end'));
  });
  it('a breach inside the app becomes a logged 500 through toFetch', async () => {
    const lines: string[] = [];
    const app = appDoing((s) => s('200 OK', [['Connection', 'close']]));
    const res = await toFetch(validator(app), {
      environOptions: { errors: createErrors((l) => lines.push(l)) },
    })(new Request('http://example.test/'));
    assert.equal(res.status, 500);
    assert.match(lines.join('\n'), /ERR_TSGI_VALIDATOR.*\[header-hop-by-hop\]/);
  });
});
