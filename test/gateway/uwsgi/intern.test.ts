import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bytesToLatin1,
  createKeyInterner,
  createValueInterner,
  decodeVars,
  encodeVars,
  latin1ToBytes,
} from '../../../gateway/uwsgi/index.js';

describe('gateway/uwsgi key interner', () => {
  it('returns the remembered string for the same bytes, and the right one for others', () => {
    let decoded = 0;
    const decode = createKeyInterner((b, s, e) => {
      decoded++;
      return bytesToLatin1(b, s, e);
    });
    const keys = ['HTTP_HOST', 'HTTP_XOST', 'HTTP_HOSU', 'PATH_INFO', 'caf\u00e9\u00ff', ''];
    const first = keys.map((k) => decode(latin1ToBytes(k), 0, k.length));
    assert.deepEqual(first, keys);
    const calls = decoded;
    // Same bytes at an offset inside a bigger block: no new decode, the same string back.
    for (const [i, k] of keys.entries()) {
      const block = latin1ToBytes(`xx${k}yy`);
      assert.equal(decode(block, 2, 2 + k.length), first[i]);
    }
    assert.equal(decoded, calls);
  });

  it('stays bounded and correct when a peer sends ever-new keys', () => {
    let decoded = 0;
    const decode = createKeyInterner((b, s, e) => {
      decoded++;
      return bytesToLatin1(b, s, e);
    });
    const keys = Array.from({ length: 400 }, (_, i) => `K${String(i).padStart(8, '0')}`);
    for (const k of keys) assert.equal(decode(latin1ToBytes(k), 0, k.length), k);
    decoded = 0;
    for (const k of keys) assert.equal(decode(latin1ToBytes(k), 0, k.length), k);
    // Only the first few of one length are remembered: the rest are decoded again.
    assert.equal(decoded, 400 - 8);
    const long = 'L'.repeat(100);
    assert.equal(decode(latin1ToBytes(long), 0, 100), long);
  });

  it('decodeVars uses the key decoder for keys only', () => {
    const block = encodeVars([
      ['REQUEST_METHOD', 'GET'],
      ['HTTP_HOST', 'example.org'],
    ]);
    const seen: string[] = [];
    const vars = decodeVars(block, 10, bytesToLatin1, (b, s, e) => {
      const key = bytesToLatin1(b, s, e);
      seen.push(key);
      return key;
    });
    assert.deepEqual(vars, [
      ['REQUEST_METHOD', 'GET'],
      ['HTTP_HOST', 'example.org'],
    ]);
    assert.deepEqual(seen, ['REQUEST_METHOD', 'HTTP_HOST']);
  });

  it('value interner: the last value under a key comes back for the same bytes, never a stale one', () => {
    let decoded = 0;
    const decode = createValueInterner((b, s, e) => {
      decoded++;
      return bytesToLatin1(b, s, e);
    });
    const at = (value: string, key?: string) => {
      const block = latin1ToBytes(`--${value}--`);
      return decode(block, 2, 2 + value.length, key);
    };
    assert.equal(at('GET', 'REQUEST_METHOD'), 'GET');
    assert.equal(at('GET', 'REQUEST_METHOD'), 'GET');
    assert.equal(decoded, 1);
    // Same length, other bytes; same bytes under another key; then the new value is the one kept.
    assert.equal(at('PUT', 'REQUEST_METHOD'), 'PUT');
    assert.equal(at('GET', 'OTHER'), 'GET');
    assert.equal(at('PUT', 'REQUEST_METHOD'), 'PUT');
    assert.equal(at('PUTS', 'REQUEST_METHOD'), 'PUTS');
    assert.equal(at('caf\u00e9', 'HTTP_X'), 'caf\u00e9');
    assert.equal(at('caf\u00e9', 'HTTP_X'), 'caf\u00e9');
    assert.equal(decoded, 5);
    // Empty: no decode. No key, or a long value: decoded every time.
    assert.equal(at('', 'QUERY_STRING'), '');
    assert.equal(at('GET'), 'GET');
    const long = 'v'.repeat(65);
    assert.equal(at(long, 'HTTP_COOKIE'), long);
    assert.equal(at(long, 'HTTP_COOKIE'), long);
    assert.equal(decoded, 8);
  });

  it('value interner stays bounded and correct when a peer sends ever-new keys', () => {
    let decoded = 0;
    const decode = createValueInterner((b, s, e) => {
      decoded++;
      return bytesToLatin1(b, s, e);
    });
    const value = latin1ToBytes('same');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 400; i++) assert.equal(decode(value, 0, 4, `HTTP_K${i}`), 'same');
    }
    // 256 keys remembered: the second round decodes only the other 144 again.
    assert.equal(decoded, 400 + 144);
  });

  it('decodeVars hands each value its key', () => {
    const block = encodeVars([
      ['REQUEST_METHOD', 'GET'],
      ['HTTP_HOST', 'example.org'],
    ]);
    const seen: Array<string | undefined> = [];
    decodeVars(
      block,
      10,
      (b, s, e, key) => {
        seen.push(key);
        return bytesToLatin1(b, s, e);
      },
      bytesToLatin1,
    );
    assert.deepEqual(seen, ['REQUEST_METHOD', 'HTTP_HOST']);
  });
});
