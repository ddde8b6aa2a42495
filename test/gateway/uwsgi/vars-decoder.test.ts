import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  bytesToLatin1,
  decodeVars,
  encodeVars,
  type UwsgiVar,
  VarsDecoder,
} from '../../../gateway/uwsgi/index.js';

/** What nginx sends for `GET /` (uwsgi_params), with the client's port. */
function nginxVars(port: string, uri = '/'): UwsgiVar[] {
  return [
    ['QUERY_STRING', ''],
    ['REQUEST_METHOD', 'GET'],
    ['CONTENT_TYPE', ''],
    ['CONTENT_LENGTH', ''],
    ['REQUEST_URI', uri],
    ['PATH_INFO', uri],
    ['DOCUMENT_ROOT', '/usr/share/nginx/html'],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['REQUEST_SCHEME', 'http'],
    ['REMOTE_ADDR', '127.0.0.1'],
    ['REMOTE_PORT', port],
    ['SERVER_PORT', '80'],
    ['SERVER_NAME', 'localhost'],
    ['HTTP_HOST', 'localhost'],
  ];
}

/** Decodes of a block decoded from scratch: every key, every value but the empty ones. */
function fullDecodes(vars: UwsgiVar[]): number {
  return vars.length + vars.filter(([, value]) => value !== '').length;
}

/** A decoder that counts its decodes, and its vars as pairs. */
function counting(remember?: number) {
  const calls = { decoded: 0 };
  const decoder = new VarsDecoder({
    decode: (b, s, e) => {
      calls.decoded++;
      return bytesToLatin1(b, s, e);
    },
    ...(remember === undefined ? {} : { remember }),
  });
  const pairs = (block: Uint8Array, maxVars = 100): UwsgiVar[] => {
    const n = decoder.decode(block, maxVars);
    return Array.from({ length: n }, (_, i) => [decoder.vars[2 * i]!, decoder.vars[2 * i + 1]!]);
  };
  return { calls, decoder, pairs };
}

describe('gateway/uwsgi VarsDecoder', () => {
  it('decodes a repeated block without decoding again, handing back the same strings', () => {
    const { calls, decoder, pairs } = counting();
    const first = nginxVars('51234');
    assert.deepEqual(pairs(encodeVars(first)), first);
    const strings = decoder.vars.slice(0, 2 * first.length);
    calls.decoded = 0;
    // Another connection: only REMOTE_PORT changed, in a buffer of its own.
    const second = nginxVars('51235');
    assert.deepEqual(pairs(encodeVars(second)), second);
    assert.equal(calls.decoded, 1, 'only the changed value is decoded');
    for (let i = 0; i < strings.length; i++) {
      if (i !== 21) assert.equal(decoder.vars[i], strings[i], `string ${i} is the one kept`);
    }
  });

  it('takes the rest of a block from the previous one when only an early var changed length', () => {
    const { calls, pairs } = counting();
    const withQuery = (query: string, port: string): UwsgiVar[] =>
      nginxVars(port).map(([k, v]) => [k, k === 'QUERY_STRING' ? query : v]);
    const steps: Array<[UwsgiVar[], number]> = [
      [withQuery('', '51234'), fullDecodes(nginxVars('51234'))],
      [withQuery('x=1', '51234'), 1], // the first var grew: everything after it moved
      [withQuery('x=1', '51234'), 0],
      [withQuery('x=22', '51235'), 2],
      [withQuery('', '51235'), 0], // an empty value needs no decode
      [withQuery('', '51234'), 1],
    ];
    for (const [vars, decodes] of steps) {
      calls.decoded = 0;
      assert.deepEqual(pairs(encodeVars(vars)), vars);
      assert.equal(calls.decoded, decodes, JSON.stringify(vars.slice(0, 1)));
    }
  });

  it('decodes what changed: other lengths, keys, order, fewer and more vars', () => {
    const { pairs } = counting();
    const cases: UwsgiVar[][] = [
      nginxVars('51234'),
      nginxVars('51234', '/a/longer/path?x=1'),
      nginxVars('1', '/'),
      [...nginxVars('2')].reverse(),
      nginxVars('3').slice(0, 4),
      [...nginxVars('4'), ['HTTP_X', 'y'], ['HTTP_X', 'z']],
      [['QUERY_STRING', 'a']],
      [['QUERY_STRINH', 'a']],
      [['QUERY_STRING', '']],
      [],
      nginxVars('5'),
    ];
    for (const vars of cases) assert.deepEqual(pairs(encodeVars(vars)), vars);
  });

  it('forgets the block after an error, and a block longer than it remembers', () => {
    const { calls, pairs } = counting(64);
    const vars = nginxVars('51234');
    const block = encodeVars(vars);
    assert.ok(block.length > 64);
    assert.deepEqual(pairs(block), vars);
    calls.decoded = 0;
    assert.deepEqual(pairs(block), vars);
    assert.equal(calls.decoded, fullDecodes(vars), 'not kept: every key and value decoded again');

    const small: UwsgiVar[] = [
      ['A', '1'],
      ['B', '2'],
    ];
    assert.deepEqual(pairs(encodeVars(small)), small);
    // Same start, then cut short: the half-decoded block must not serve the next one.
    const bad = encodeVars([
      ['A', 'x'],
      ['B', '2'],
    ]).subarray(0, 9);
    assert.throws(() => pairs(bad), { code: 'ERR_UWSGI_TRAILING_BYTES' });
    assert.deepEqual(pairs(encodeVars(small)), small);
    assert.throws(() => pairs(encodeVars(small), 1), { code: 'ERR_UWSGI_TOO_MANY_VARS' });
    assert.deepEqual(pairs(encodeVars(small)), small);
  });

  it('agrees with decodeVars on any sequence of blocks, valid or not', () => {
    const byteArb = fc.uint8Array({ minLength: 0, maxLength: 12 });
    const varArb = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 6 }), byteArb);
    // Small alphabets so that consecutive blocks share keys and values.
    const blockArb = fc.oneof(
      fc
        .array(fc.tuple(fc.constantFrom('A', 'B', 'HTTP_X'), fc.constantFrom('', '1', '22', 'x')), {
          maxLength: 6,
        })
        .map((vars) => encodeVars(vars as UwsgiVar[])),
      fc.array(varArb, { maxLength: 5 }).map((vars) => encodeVars(vars)),
      fc.uint8Array({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(blockArb, { minLength: 2, maxLength: 8 }), fc.nat(), (blocks, seed) => {
        const { pairs } = counting(seed % 2 === 0 ? 4096 : 16);
        for (const block of blocks) {
          const maxVars = 1 + (seed % 7);
          let expected: unknown;
          try {
            expected = decodeVars(block, maxVars);
          } catch (error) {
            expected = (error as { code: string }).code;
          }
          let actual: unknown;
          try {
            actual = pairs(block, maxVars);
          } catch (error) {
            actual = (error as { code: string }).code;
          }
          assert.deepEqual(actual, expected);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
