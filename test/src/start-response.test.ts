import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHeaders, HOP_BY_HOP, parseStatus, ResponseState } from 'tsgi';

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

describe('src/start-response: parseStatus', () => {
  it("reads 'NNN Reason'", () => {
    assert.deepEqual(parseStatus('200 OK'), { status: 200, reason: 'OK' });
    assert.deepEqual(parseStatus('418 I\u2019m a teapot'.replace('\u2019', "'")), {
      status: 418,
      reason: "I'm a teapot",
    });
    assert.deepEqual(parseStatus('599 Caf\u00e9'), { status: 599, reason: 'Caf\u00e9' });
  });
  for (const bad of [
    '200OK',
    '20 OK',
    '099 Low',
    '100 Continue',
    '103 Early Hints',
    '199',
    '600 Custom',
    '700',
    '999 Nine',
    'abc',
    '200 OK\r\n',
    '200 O\nK',
    '200 \u20ac',
    '',
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseStatus(bad), code('ERR_TSGI_STATUS_INVALID'));
    });
  }
  it('refuses a non-string', () => {
    assert.throws(() => parseStatus(200), code('ERR_TSGI_STATUS_INVALID'));
  });
});

describe('src/start-response: checkHeaders', () => {
  it('accepts [name, value] pairs of latin-1 strings', () => {
    const headers: [string, string][] = [
      ['Content-Type', 'text/plain'],
      ['X-Latin', 'caf\u00e9'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ];
    assert.equal(checkHeaders(headers), headers);
  });
  const bad: Array<[string, unknown]> = [
    ['an object', { 'Content-Type': 'x' }],
    ['a tuple of three', [['a', 'b', 'c']]],
    ['a number value', [['X-N', 1]]],
    ['a space in the name', [['X N', '1']]],
    ['a colon in the name', [['X:N', '1']]],
    ['CR LF in the value', [['X-A', 'a\r\nInjected: 1']]],
    ['NUL in the value', [['X-A', 'a\u0000']]],
    ['a char above U+00FF', [['X-A', '\u20ac']]],
  ];
  for (const [what, headers] of bad) {
    it(`refuses ${what}`, () => {
      assert.throws(() => checkHeaders(headers), code('ERR_TSGI_HEADER_INVALID'));
    });
  }
  for (const name of HOP_BY_HOP) {
    it(`refuses the hop-by-hop header ${name}`, () => {
      assert.throws(() => checkHeaders([[name, 'x']]), code('ERR_TSGI_HOP_BY_HOP_HEADER'));
      const upper = name.replace(/(^|-)\w/g, (m) => m.toUpperCase());
      assert.throws(() => checkHeaders([[upper, 'x']]), code('ERR_TSGI_HOP_BY_HOP_HEADER'));
    });
  }
});

describe('src/start-response: ResponseState', () => {
  const make = () => new ResponseState(async () => {});
  it('stores status and headers and returns write', () => {
    const s = make();
    const write = s.startResponse('201 Created', [['Content-Type', 'x']]);
    assert.equal(write, s.write);
    assert.deepEqual([s.status, s.reason, s.started, s.sent], [201, 'Created', true, false]);
  });
  it('a second call without excInfo throws', () => {
    const s = make();
    s.startResponse('200 OK', []);
    assert.throws(() => s.startResponse('500 Oops', []), code('ERR_TSGI_START_RESPONSE_TWICE'));
    assert.equal(s.status, 200);
  });
  it('excInfo before the headers went out replaces status and headers', () => {
    const s = make();
    s.startResponse('200 OK', [['A', '1']]);
    s.startResponse('500 Oops', [['B', '2']], new Error('changed'));
    assert.deepEqual([s.status, s.headers], [500, [['B', '2']]]);
  });
  it('excInfo after the headers went out rethrows that very error', () => {
    const s = make();
    s.startResponse('200 OK', []);
    s.sent = true;
    const error = new Error('late');
    assert.throws(
      () => s.startResponse('500 Oops', [], error),
      (e) => e === error,
    );
  });
  it('a bad status or header throws while the app still runs, leaving the state unchanged', () => {
    const s = make();
    assert.throws(() => s.startResponse('bad', []), code('ERR_TSGI_STATUS_INVALID'));
    assert.equal(s.started, false);
    assert.throws(
      () => s.startResponse('200 OK', [['Connection', 'close']]),
      code('ERR_TSGI_HOP_BY_HOP_HEADER'),
    );
    assert.equal(s.started, false);
  });
});
