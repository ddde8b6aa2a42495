/**
 * The lightweight Response against Node's own, made from the same arguments: what every getter
 * says, the body, the errors thrown, what fromFetch writes for it, and the global install
 * (instanceof both ways, the static methods).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type App,
  environFromRequest,
  fromFetch,
  type HeaderList,
  RESPONSE_PARTS,
  responseParts,
  runApp,
} from 'tsgi';
import {
  installLightweightResponse,
  lightweightResponseClass,
} from '../../src/lightweight-response.js';

const Native = Response;
const Light = lightweightResponseClass(Native);

type Args = () => [body?: unknown, init?: unknown];

const streamOf = (text: string) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode(text));
      c.close();
    },
  });

/** Bodies and inits as apps pass them; each case makes fresh arguments for each side. */
const CASES: Array<[string, Args]> = [
  ['string, no init', () => ['hello']],
  [
    'string, status, reason, one header',
    () => ['made', { status: 201, statusText: 'Made', headers: { 'x-a': '1' } }],
  ],
  ['string, its own content type', () => ['<b>', { headers: { 'content-type': 'text/html' } }]],
  [
    'string, headers sorted',
    () => ['s', { headers: { 'x-z': '1', accept: 'a', 'content-type': 'c/d', b: '2' } }],
  ],
  [
    'string, capitalised names',
    () => ['s', { headers: { 'Content-Type': 'text/x', 'X-A': '1', 'x-a': '2' } }],
  ],
  ['string, value with spaces', () => ['s', { headers: { 'x-b': ' padded ' } }]],
  ['string, number value', () => ['s', { headers: { 'x-n': 7 } }]],
  ['empty string', () => ['']],
  [
    'Uint8Array, pairs with a repeat',
    () => [
      new Uint8Array([1, 2, 3]),
      {
        headers: [
          ['x-a', '1'],
          ['x-a', '2'],
        ],
      },
    ],
  ],
  ['Buffer', () => [Buffer.from('buffer body')]],
  ['ArrayBuffer', () => [new Uint8Array([104, 105]).buffer]],
  ['null, 204', () => [null, { status: 204 }]],
  [
    'undefined body, 302 with location',
    () => [undefined, { status: 302, headers: { location: '/x' } }],
  ],
  [
    'Headers with two cookies',
    () => {
      const h = new Headers({ 'set-cookie': 'a=1' });
      h.append('set-cookie', 'b=2');
      h.append('x-y', 'z');
      return ['', { status: 404, headers: h }];
    },
  ],
  ['Blob', () => [new Blob(['blob'], { type: 'text/x' })]],
  ['URLSearchParams', () => [new URLSearchParams('a=1&b=2')]],
  [
    'FormData',
    () => [
      (() => {
        const f = new FormData();
        f.append('k', 'v');
        return f;
      })(),
    ],
  ],
  ['ReadableStream', () => [streamOf('streamed'), { headers: { 'x-s': '1' } }]],
  ['DataView', () => [new DataView(new Uint8Array([65, 66]).buffer)]],
  ['init null', () => ['x', null]],
  ['lone surrogate', () => ['a\ud800b']],
];

const ERRORS: Array<[string, Args]> = [
  ['status 199', () => ['x', { status: 199 }]],
  ['status 600', () => ['x', { status: 600 }]],
  ['204 with a body', () => ['x', { status: 204 }]],
  ['304 with an empty body', () => ['', { status: 304 }]],
  ['reason with LF', () => ['x', { statusText: 'a\nb' }]],
  ['reason beyond latin-1', () => ['x', { statusText: 'ā' }]],
  ['header name with a space', () => ['x', { headers: { 'x a': '1' } }]],
  ['header value with LF', () => ['x', { headers: { x: 'a\nb' } }]],
  ['header value with NUL', () => ['x', { headers: { x: 'a\0b' } }]],
  ['header value beyond latin-1', () => ['x', { headers: { x: 'ā' } }]],
  ['init a number', () => ['x', 5]],
  ['headers null', () => ['x', { headers: null }]],
];

/** Multipart boundaries are random: the same body on both sides reads the same once named alike. */
const sameBoundary = (text: string) => text.replace(/formdata-undici-\d+/g, 'formdata-undici-N');

async function describeResponse(r: Response) {
  return {
    status: r.status,
    statusText: r.statusText,
    ok: r.ok,
    type: r.type,
    url: r.url,
    redirected: r.redirected,
    bodyUsedBefore: r.bodyUsed,
    headers: [...r.headers].map(([n, v]) => [n, sameBoundary(v)]),
    cookies: r.headers.getSetCookie(),
    body: sameBoundary(Buffer.from(await r.arrayBuffer()).toString('latin1')),
    bodyUsedAfter: r.bodyUsed,
  };
}

function make(C: typeof Response, args: Args): Response {
  const [body, init] = args();
  return new C(body as ConstructorParameters<typeof Response>[0], init as ResponseInit);
}

/** What fromFetch hands the server for a handler answering `response`. */
async function written(response: Response) {
  const app = fromFetch(() => response);
  const r = await runApp(app, environFromRequest(new Request('http://h.test/')));
  const parts: Uint8Array[] = [];
  for await (const c of r.body) parts.push(c);
  await r.close();
  return {
    status: r.statusLine,
    headers: r.headers.map(([n, v]) => [n, sameBoundary(v)]),
    body: sameBoundary(Buffer.concat(parts).toString('latin1')),
  };
}

describe('src/lightweight-response: the same answers as Node’s Response', () => {
  for (const [name, args] of CASES) {
    it(`${name}: getters and body`, async () => {
      assert.deepEqual(
        await describeResponse(make(Light, args)),
        await describeResponse(make(Native, args)),
      );
    });
    it(`${name}: what fromFetch writes`, async () => {
      assert.deepEqual(await written(make(Light, args)), await written(make(Native, args)));
    });
  }
  for (const [name, args] of ERRORS) {
    it(`${name}: the constructor throws as Node’s does`, () => {
      let expected: unknown;
      try {
        make(Native, args);
      } catch (error) {
        expected = error;
      }
      assert.ok(expected instanceof Error, `Node's Response accepts ${name}`);
      assert.throws(
        () => make(Light, args),
        (error: Error) => error.constructor === (expected as Error).constructor,
      );
    });
  }

  it('string, bytes and null bodies stay light: fromFetch reads their parts', () => {
    assert.ok(responseParts(new Light('x')));
    assert.ok(responseParts(new Light(new Uint8Array(1), { status: 500 })));
    assert.ok(responseParts(new Light(null, { headers: new Headers({ a: 'b' }) })));
    const json = responseParts(
      new Light('{}', { headers: { 'Content-Type': 'application/json' } }),
    );
    assert.deepEqual(json?.headers, [['content-type', 'application/json']], 'Hono’s spelling');
    assert.equal(responseParts(new Light(streamOf('x'))), undefined);
    assert.equal(responseParts(new Native('x')), undefined);
    const r = new Light('x');
    void r.body;
    assert.equal(responseParts(r), undefined, 'built once its stream was asked for');
  });

  it('the caller’s bytes and Headers are copied, as Node copies them', async () => {
    const bytes = new Uint8Array([97, 98]);
    const headers = new Headers({ 'x-a': '1' });
    const r = new Light(bytes, { headers });
    bytes[0] = 122;
    headers.set('x-a', 'changed');
    assert.equal(await r.clone().text(), 'ab');
    assert.equal(r.headers.get('x-a'), '1');
    assert.equal((await written(r)).body, 'ab');
  });

  it('headers changed after the response was made are written (middleware does that)', async () => {
    const r = new Light('hi', { headers: { 'x-a': '1' } });
    r.headers.set('x-b', '2');
    r.headers.delete('content-type');
    const out = await written(r);
    assert.deepEqual(out.headers, [
      ['x-a', '1'],
      ['x-b', '2'],
    ]);
    const s = new Light('hi');
    s.headers.delete('content-type');
    assert.equal(s.headers.get('content-type'), null);
    assert.equal(await s.text(), 'hi', 'the native Response built now adds no content type back');
    assert.equal(s.headers.get('content-type'), null);
  });

  it('one Response answered again and again: a middleware changing the list changes one answer', async () => {
    // A handler may return one Response object for every request; a TSGI middleware may change
    // the header list it is given (push, or a pair in place). Neither reaches the next answer.
    const shared = [new Light('cached'), new Light('{}', { headers: { 'X-A': '1' } })];
    for (const response of shared) {
      const inner = fromFetch(() => response);
      let n = 0;
      const app: App = (environ, startResponse) =>
        inner(environ, (status, headers, excInfo) => {
          n++;
          for (const pair of headers) pair[1] = `${pair[1]};seen`;
          headers.push(['x-request', String(n)]);
          return startResponse(status, headers, excInfo);
        });
      const answers: HeaderList[] = [];
      for (let i = 0; i < 2; i++) {
        const r = await runApp(app, environFromRequest(new Request('http://h.test/')));
        answers.push(r.headers);
        await r.close();
      }
      assert.deepEqual(
        answers[1]!.filter(([name]) => name !== 'x-request'),
        answers[0]!.filter(([name]) => name !== 'x-request'),
      );
      assert.deepEqual(
        answers.map((h) => h.filter(([name]) => name === 'x-request')),
        [[['x-request', '1']], [['x-request', '2']]],
      );
      assert.ok(responseParts(response), 'still light');
    }
  });

  it('clone(), then both bodies read; a body read twice fails as on Node', async () => {
    const r = new Light('twice');
    const c = r.clone();
    assert.equal(await r.text(), 'twice');
    assert.equal(await c.text(), 'twice');
    assert.equal(r.bodyUsed, true);
    await assert.rejects(r.text(), TypeError);
    assert.equal(await new Light('{"a":1}').json().then((v) => (v as { a: number }).a), 1);
  });

  it('a streamed body goes through fromFetch in order', async () => {
    const out = await written(new Light(streamOf('s1;s2')));
    assert.equal(out.body, 's1;s2');
  });

  it('Response.json as Node’s: content type, status, init headers', async () => {
    const args: Array<[unknown, ResponseInit?]> = [
      [{ a: 1 }],
      [[1, 'x'], { status: 201, headers: { 'x-a': '1' } }],
      ['s', { headers: { 'content-type': 'application/vnd+json' } }],
    ];
    for (const [data, init] of args) {
      assert.deepEqual(
        await describeResponse(Light.json(data, init)),
        await describeResponse(Native.json(data, init)),
      );
    }
    assert.throws(() => Light.json(undefined), TypeError);
    assert.ok(responseParts(Light.json({ a: 1 })));
  });

  it('a subclass of it is a Response and an instance of itself', async () => {
    class Mine extends Light {
      extra = 'yes';
    }
    const m = new Mine('sub');
    assert.ok(m instanceof Mine);
    assert.ok(m instanceof Light);
    assert.ok(m instanceof Native);
    assert.ok(!(new Light('x') instanceof Mine));
    assert.equal(await m.text(), 'sub');
  });

  it('installed as the global: instanceof both ways, statics, the native constructor kept', async () => {
    const before = globalThis.Response;
    assert.equal(installLightweightResponse(), true);
    const Installed = globalThis.Response;
    assert.notEqual(Installed, before);
    assert.equal(installLightweightResponse(), true);
    assert.equal(globalThis.Response, Installed, 'installed once');
    assert.equal(Installed.name, 'Response');
    assert.equal((Installed as unknown as Record<symbol, unknown>)[RESPONSE_PARTS], before);
    const light = new Response('x');
    assert.ok(light instanceof Response);
    assert.ok(light instanceof before);
    assert.ok(new before('x') instanceof Response, 'a native Response is a Response');
    assert.ok(Response.error() instanceof Response);
    const redirect = Response.redirect('http://h.test/x', 307);
    assert.equal(redirect.headers.get('location'), 'http://h.test/x');
    assert.equal(Object.prototype.toString.call(light), '[object Response]');
    // fromFetch still finds Node's body source for native Responses made after the install.
    assert.deepEqual(await written(new before('native')), await written(new Response('native')));
  });
});
