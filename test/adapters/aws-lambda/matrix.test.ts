/**
 * The Set-Cookie / base64 / path matrix: the same app answered through every event source, and
 * the per-source rules for paths, queries, stages and base paths.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { App, HeaderList } from 'tsgi';
import { caseVariant, detectSource, type HandleOptions, handle } from 'tsgi/aws-lambda';
import { makeEvent, type Source } from './events-builder.js';
import { CONTEXT, type Echo, echoApp } from './fixtures.js';

type Result = Record<string, unknown> & {
  statusCode: number;
  body: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
  isBase64Encoded?: boolean;
};

const SOURCES: Source[] = ['rest', 'http-v2', 'function-url', 'alb', 'alb-multi', 'lattice-v2'];

function appWith(status: string, headers: HeaderList, body: Uint8Array | string = 'ok'): App {
  return (_environ, startResponse) => {
    startResponse(status, headers);
    return [body];
  };
}

async function run(
  app: App,
  source: Source,
  spec: Parameters<typeof makeEvent>[1] = {},
  options: HandleOptions = {},
): Promise<{ result: Result; logs: string[] }> {
  const logs: string[] = [];
  const handler = handle(app, { log: (l) => logs.push(l), ...options });
  const result = (await handler(makeEvent(source, spec) as never, CONTEXT)) as Result;
  return { result, logs };
}

async function echo(
  source: Source,
  spec: Parameters<typeof makeEvent>[1],
  options: HandleOptions = {},
) {
  const { result, logs } = await run(echoApp, source, spec, options);
  assert.equal(result.statusCode, 200, `${result.body}\n${logs.join('\n')}`);
  return JSON.parse(result.body) as Echo;
}

/** Every Set-Cookie value a client would receive from this result, in order. */
function receivedCookies(result: Result): string[] {
  const out: string[] = [...(result.cookies ?? [])];
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (name.toLowerCase() === 'set-cookie') out.push(value);
  }
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    if (name.toLowerCase() === 'set-cookie') out.push(...values);
  }
  return out;
}

const COOKIES = ['a=1; Path=/', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT', 'c=3; HttpOnly'];

describe('aws-lambda matrix: Set-Cookie', () => {
  for (const source of SOURCES) {
    for (const n of [0, 1, 2, 3]) {
      test(`${source}: ${n} cookie(s) all arrive, never comma-joined`, async () => {
        const cookies = COOKIES.slice(0, n);
        const { result, logs } = await run(
          appWith('200 OK', [
            ['Content-Type', 'text/plain'],
            ...cookies.map((c): [string, string] => ['Set-Cookie', c]),
          ]),
          source,
        );
        assert.deepEqual(logs, []);
        assert.deepEqual(receivedCookies(result).sort(), [...cookies].sort());
        const everyValue = [
          ...Object.values(result.headers ?? {}),
          ...Object.values(result.multiValueHeaders ?? {}).flat(),
        ];
        for (const v of everyValue)
          assert.ok(!(n > 1 && v.includes('a=1; Path=/, ')), `joined: ${v}`);
      });
    }
  }

  test('v2 and Function URL: cookies[] only, no set-cookie header', async () => {
    for (const source of ['http-v2', 'function-url'] as const) {
      const { result } = await run(
        appWith('200 OK', [
          ['Content-Type', 'text/plain'],
          ['Set-Cookie', 'x=1'],
          ['Set-Cookie', 'y=2'],
        ]),
        source,
      );
      assert.deepEqual(result.cookies, ['x=1', 'y=2']);
      assert.equal(result.headers?.['set-cookie'], undefined);
      assert.equal(result.multiValueHeaders, undefined);
    }
  });

  test('REST: one cookie in headers, several in multiValueHeaders only', async () => {
    const one = await run(
      appWith('200 OK', [
        ['Content-Type', 'text/plain'],
        ['Set-Cookie', 'x=1'],
      ]),
      'rest',
    );
    assert.equal(one.result.headers?.['set-cookie'], 'x=1');
    assert.equal(one.result.multiValueHeaders, undefined);
    const two = await run(
      appWith('200 OK', [
        ['Content-Type', 'text/plain'],
        ['Set-Cookie', 'x=1'],
        ['Set-Cookie', 'y=2'],
      ]),
      'rest',
    );
    assert.equal(two.result.headers?.['set-cookie'], undefined);
    assert.deepEqual(two.result.multiValueHeaders, { 'set-cookie': ['x=1', 'y=2'] });
    assert.equal(two.result.cookies, undefined);
  });

  test('ALB single-value: case variants by default; first/last keep one and log', async () => {
    const app = appWith('200 OK', [
      ['Content-Type', 'text/plain'],
      ...COOKIES.map((c): [string, string] => ['Set-Cookie', c]),
    ]);
    const { result } = await run(app, 'alb');
    assert.equal(result.headers?.[caseVariant(0)], COOKIES[0]);
    assert.equal(result.headers?.[caseVariant(1)], COOKIES[1]);
    assert.equal(result.headers?.[caseVariant(2)], COOKIES[2]);
    assert.deepEqual(
      [caseVariant(0), caseVariant(1), caseVariant(2)],
      ['set-cookie', 'Set-cookie', 'sEt-cookie'],
    );
    for (const strategy of ['first', 'last'] as const) {
      const { result: r, logs } = await run(app, 'alb', {}, { singleValueCookies: strategy });
      assert.deepEqual(receivedCookies(r), [strategy === 'first' ? COOKIES[0] : COOKIES[2]]);
      assert.match(
        logs.join('\n'),
        /\[test-request-id\] ERR_LAMBDA_TOO_MANY_COOKIES: .*2 of 3 dropped/,
      );
    }
  });

  test('ALB single-value: more than 512 cookies keeps 512 and logs the rest', async () => {
    const many = Array.from({ length: 515 }, (_, i): [string, string] => ['Set-Cookie', `k${i}=v`]);
    const { result, logs } = await run(
      appWith('200 OK', [['Content-Type', 'text/plain'], ...many]),
      'alb',
    );
    assert.equal(receivedCookies(result).length, 512);
    assert.equal(
      new Set(Object.keys(result.headers ?? {})).size,
      Object.keys(result.headers ?? {}).length,
    );
    assert.match(logs.join('\n'), /ERR_LAMBDA_TOO_MANY_COOKIES: .*3 of 515 dropped/);
  });
});

describe('aws-lambda matrix: headers out', () => {
  const app = appWith('404 Not Found', [
    ['Content-Type', 'text/plain'],
    ['Vary', 'Accept'],
    ['Vary', 'Origin'],
    ['X-One', '1'],
  ]);

  test('REST: repeated names in multiValueHeaders, single ones in headers', async () => {
    const { result } = await run(app, 'rest');
    assert.deepEqual(result.multiValueHeaders, { vary: ['Accept', 'Origin'] });
    assert.equal(result.headers?.['x-one'], '1');
    assert.equal(result.headers?.vary, undefined);
  });

  test('ALB: multiValueHeaders exactly when the event had them; statusDescription', async () => {
    const single = await run(app, 'alb');
    assert.equal(single.result.multiValueHeaders, undefined);
    assert.equal(single.result.headers?.vary, 'Accept, Origin');
    assert.equal(single.result.statusDescription, '404 Not Found');
    const mv = await run(app, 'alb-multi');
    assert.equal(mv.result.headers, undefined);
    assert.deepEqual(mv.result.multiValueHeaders?.vary, ['Accept', 'Origin']);
    assert.deepEqual(mv.result.multiValueHeaders?.['x-one'], ['1']);
    assert.equal(mv.result.statusDescription, '404 Not Found');
  });

  test('v2: repeated names joined with ", "', async () => {
    const { result } = await run(app, 'http-v2');
    assert.equal(result.headers?.vary, 'Accept, Origin');
    assert.equal(result.statusCode, 404);
  });
});

describe('aws-lambda matrix: base64 and Content-Length', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
  const CASES: Array<{
    name: string;
    headers: HeaderList;
    body: Uint8Array | string;
    base64: boolean;
    options?: HandleOptions;
  }> = [
    {
      name: 'text/plain',
      headers: [['Content-Type', 'text/plain; charset=utf-8']],
      body: 'héllo',
      base64: false,
    },
    {
      name: 'application/json',
      headers: [['Content-Type', 'application/json']],
      body: '{"a":1}',
      base64: false,
    },
    {
      name: 'image/svg+xml',
      headers: [['Content-Type', 'image/svg+xml']],
      body: '<svg/>',
      base64: false,
    },
    {
      name: 'application/problem+json',
      headers: [['Content-Type', 'application/problem+json']],
      body: '{}',
      base64: false,
    },
    { name: 'no Content-Type (204-less text)', headers: [], body: 'plain', base64: false },
    { name: 'image/png', headers: [['Content-Type', 'image/png']], body: png, base64: true },
    {
      name: 'application/octet-stream',
      headers: [['Content-Type', 'application/octet-stream']],
      body: 'abc',
      base64: true,
    },
    {
      name: 'text/html + gzip',
      headers: [
        ['Content-Type', 'text/html'],
        ['Content-Encoding', 'gzip'],
      ],
      body: png,
      base64: true,
    },
    {
      name: 'text/html + identity',
      headers: [
        ['Content-Type', 'text/html'],
        ['Content-Encoding', 'identity'],
      ],
      body: 'x',
      base64: false,
    },
    {
      name: 'text/plain but not UTF-8',
      headers: [['Content-Type', 'text/plain']],
      body: png,
      base64: true,
    },
    {
      name: 'isBinary option',
      headers: [['Content-Type', 'text/plain']],
      body: 'txt',
      base64: true,
      options: { isBinary: () => true },
    },
  ];
  for (const source of SOURCES) {
    for (const c of CASES) {
      test(`${source}: ${c.name} → ${c.base64 ? 'base64' : 'text'}, Content-Length true`, async () => {
        const { result } = await run(appWith('200 OK', c.headers, c.body), source, {}, c.options);
        assert.equal(result.isBase64Encoded, c.base64);
        const bytes = typeof c.body === 'string' ? Buffer.from(c.body) : Buffer.from(c.body);
        const got = c.base64
          ? Buffer.from(result.body, 'base64')
          : Buffer.from(result.body, 'utf8');
        assert.deepEqual(got, bytes);
        const length =
          result.headers?.['content-length'] ?? result.multiValueHeaders?.['content-length']?.[0];
        assert.equal(length, String(bytes.length));
      });
    }
  }

  test('a declared Content-Length: a longer body is cut to it, a shorter one is a 500', async () => {
    const long = await run(
      appWith(
        '200 OK',
        [
          ['Content-Type', 'text/plain'],
          ['Content-Length', '3'],
        ],
        'short',
      ),
      'http-v2',
    );
    assert.equal(long.result.body, 'sho');
    assert.equal(long.result.headers?.['content-length'], '3');
    assert.match(long.logs.join('\n'), /ERR_TSGI_CONTENT_LENGTH_MISMATCH/);
    const short = await run(
      appWith(
        '200 OK',
        [
          ['Content-Type', 'text/plain'],
          ['Content-Length', '99'],
        ],
        'short',
      ),
      'http-v2',
    );
    assert.equal(short.result.statusCode, 500);
    assert.equal(
      short.result.headers?.['content-length'],
      String(Buffer.byteLength(short.result.body)),
    );
  });

  test('HEAD: empty body, the app’s Content-Length kept; 204: no body, no length', async () => {
    const head = await run(
      appWith(
        '200 OK',
        [
          ['Content-Type', 'text/plain'],
          ['Content-Length', '5'],
        ],
        'hello',
      ),
      'rest',
      { method: 'HEAD' },
    );
    assert.equal(head.result.body, '');
    assert.equal(head.result.headers?.['content-length'], '5');
    const empty = await run(appWith('204 No Content', []), 'http-v2');
    assert.equal(empty.result.body, '');
    assert.equal(empty.result.headers?.['content-length'], undefined);
  });

  test('request bodies: base64 decoded, CONTENT_LENGTH recomputed over an understated header', async () => {
    for (const source of SOURCES) {
      const e = await echo(source, {
        method: 'POST',
        headers: {
          host: 'example.test',
          'Content-Length': '2',
          'Content-Type': 'application/octet-stream',
        },
        body: Buffer.from([0, 1, 2, 200, 255]).toString('base64'),
        base64: true,
      });
      assert.equal(e.cgi.CONTENT_LENGTH, '5', source);
      assert.deepEqual(Buffer.from(e.body, 'latin1'), Buffer.from([0, 1, 2, 200, 255]), source);
      assert.equal(e.cgi.CONTENT_TYPE, 'application/octet-stream');
    }
  });

  test('a GET with a body keeps it (Fetch would reject it)', async () => {
    const e = await echo('alb', { method: 'GET', body: 'Test' });
    assert.equal(e.body, 'Test');
    assert.equal(e.cgi.CONTENT_LENGTH, '4');
  });
});

describe('aws-lambda matrix: paths, queries, stage and base path', () => {
  const PATHS: Array<[Source, string, string, string]> = [
    // source, path in the event, PATH_INFO (latin-1), REQUEST_URI
    ['rest', '/a%2Fb/%C3%A9', '/a/b/\u00c3\u00a9', '/a%2Fb/%C3%A9'],
    ['rest', '/100%25', '/100%', '/100%25'],
    ['function-url', '/a%20b', '/a b', '/a%20b'],
    ['function-url', '/é%C3%A9', '/\u00c3\u00a9\u00c3\u00a9', '/%C3%A9%C3%A9'],
    ['alb', '/x%2Fy', '/x/y', '/x%2Fy'],
    ['alb-multi', '/%E2%82%AC', '/\u00e2\u0082\u00ac', '/%E2%82%AC'],
    ['lattice-v2', '/p%3Fq', '/p?q', '/p%3Fq'],
    // HTTP API rawPath arrives decoded: a literal % stays, text becomes its UTF-8 bytes.
    ['http-v2', '/100%25', '/100%25', '/100%2525'],
    ['http-v2', '/my/path-with space', '/my/path-with space', '/my/path-with%20space'],
    ['http-v2', '/é', '/\u00c3\u00a9', '/%C3%A9'],
  ];
  for (const [source, path, pathInfo, uri] of PATHS) {
    test(`${source}: ${JSON.stringify(path)} → PATH_INFO ${JSON.stringify(pathInfo)}`, async () => {
      const e = await echo(source, { path });
      assert.equal(e.cgi.PATH_INFO, pathInfo);
      assert.equal(e.cgi.SCRIPT_NAME, '');
      assert.equal(e.cgi.REQUEST_URI, uri);
    });
  }

  test('HTTP API payload 1.0 (version "1.0", no resourceId): the path is already decoded', async () => {
    const event = makeEvent('rest', { path: '/100%25 off', stage: '$default' });
    event.version = '1.0';
    (event.requestContext as Record<string, unknown>).resourceId = null;
    const logs: string[] = [];
    const result = (await handle(echoApp, { log: (l) => logs.push(l) })(
      event as never,
      CONTEXT,
    )) as Result;
    const e = JSON.parse(result.body) as Echo;
    assert.equal(e.cgi.PATH_INFO, '/100%25 off');
    assert.equal(e.cgi.REQUEST_URI, '/100%2525%20off');
    assert.equal(detectSource(event), 'http-v1');
  });

  test('REST: query values arrive decoded and are encoded again; multi-value wins', async () => {
    const e = await echo('rest', { query: { q: ['a b&c=d', 'é'], x: ['1'] } });
    assert.equal(e.cgi.QUERY_STRING, 'q=a%20b%26c%3Dd&q=%C3%A9&x=1');
  });

  test('ALB: query values arrive encoded and pass through untouched', async () => {
    const single = await echo('alb', { query: { myKey: ['%3FshowAll%3Dtrue'] } });
    assert.equal(single.cgi.QUERY_STRING, 'myKey=%3FshowAll%3Dtrue');
    const mv = await echo('alb-multi', { query: { k: ['a%20b', 'c+d'] } });
    assert.equal(mv.cgi.QUERY_STRING, 'k=a%20b&k=c+d');
  });

  test('v2: rawQueryString verbatim', async () => {
    const e = await echo('http-v2', { rawQuery: 'a=1&a=2&b=%20x' });
    assert.equal(e.cgi.QUERY_STRING, 'a=1&a=2&b=%20x');
  });

  test('stage option, HTTP API: a named stage moves from the path into SCRIPT_NAME', async () => {
    const on = await echo('http-v2', { path: '/Prod/my/path', stage: 'Prod' }, { stage: true });
    assert.deepEqual([on.cgi.SCRIPT_NAME, on.cgi.PATH_INFO], ['/Prod', '/my/path']);
    const bare = await echo('http-v2', { path: '/Prod', stage: 'Prod' }, { stage: true });
    assert.deepEqual([bare.cgi.SCRIPT_NAME, bare.cgi.PATH_INFO], ['/Prod', '']);
    const dflt = await echo('http-v2', { path: '/Prod/x', stage: '$default' }, { stage: true });
    assert.deepEqual([dflt.cgi.SCRIPT_NAME, dflt.cgi.PATH_INFO], ['', '/Prod/x']);
    const off = await echo('http-v2', { path: '/Prod/my/path', stage: 'Prod' });
    assert.deepEqual([off.cgi.SCRIPT_NAME, off.cgi.PATH_INFO], ['', '/Prod/my/path']);
  });

  test('stage option, REST: the prefix the gateway stripped becomes SCRIPT_NAME', async () => {
    const e = await echo(
      'rest',
      { path: '/hello', fullPath: '/test/hello', stage: 'test' },
      { stage: true },
    );
    assert.deepEqual(
      [e.cgi.SCRIPT_NAME, e.cgi.PATH_INFO, e.cgi.REQUEST_URI],
      ['/test', '/hello', '/test/hello'],
    );
    const mapped = await echo('rest', { path: '/hello', fullPath: '/v1/hello' }, { stage: true });
    assert.equal(mapped.cgi.SCRIPT_NAME, '/v1');
    const off = await echo('rest', { path: '/hello', fullPath: '/test/hello' });
    assert.deepEqual(
      [off.cgi.SCRIPT_NAME, off.cgi.PATH_INFO, off.cgi.REQUEST_URI],
      ['', '/hello', '/hello'],
    );
  });

  test('basePath option: moved only on a segment boundary, after the stage', async () => {
    const e = await echo('alb', { path: '/api/users' }, { basePath: '/api/' });
    assert.deepEqual([e.cgi.SCRIPT_NAME, e.cgi.PATH_INFO], ['/api', '/users']);
    const not = await echo('alb', { path: '/apix' }, { basePath: '/api' });
    assert.deepEqual([not.cgi.SCRIPT_NAME, not.cgi.PATH_INFO], ['', '/apix']);
    const both = await echo(
      'http-v2',
      { path: '/Prod/api/x', stage: 'Prod' },
      { stage: true, basePath: '/api' },
    );
    assert.deepEqual([both.cgi.SCRIPT_NAME, both.cgi.PATH_INFO], ['/Prod/api', '/x']);
  });

  test('header names are matched case-insensitively (Host, X-Forwarded-*)', async () => {
    const e = await echo('rest', {
      headers: { HOST: 'Mixed.Example:8443', 'X-FORWARDED-PROTO': 'http' },
    });
    assert.deepEqual(
      [e.cgi.SERVER_NAME, e.cgi.SERVER_PORT, e.scheme],
      ['mixed.example', '8443', 'http'],
    );
    assert.equal(e.cgi.HTTP_HOST, 'Mixed.Example:8443');
  });

  test('non-ASCII header values become their UTF-8 bytes as latin-1', async () => {
    const e = await echo('http-v2', { headers: { 'x-name': 'José' } });
    assert.equal(e.cgi.HTTP_X_NAME, 'Jos\u00c3\u00a9');
  });
});
