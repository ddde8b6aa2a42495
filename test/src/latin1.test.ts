import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  bytesToLatin1,
  isLatin1,
  latin1ToBytes,
  latin1ToUtf8,
  percentDecodeToLatin1,
  percentEncodeLatin1Path,
  utf8ToLatin1,
} from 'tsgi';

describe('src/latin1', () => {
  it('bytes ↔ latin-1 is one char per byte, also past the 8 KiB slice', () => {
    const bytes = new Uint8Array(20_000).map((_, i) => i % 256);
    const text = bytesToLatin1(bytes);
    assert.equal(text.length, bytes.length);
    assert.equal(text.charCodeAt(255), 255);
    assert.deepEqual(latin1ToBytes(text), bytes);
  });
  it('isLatin1 accepts U+0000..U+00FF only', () => {
    assert.equal(isLatin1('caf\u00e9\u00ff\u0000'), true);
    assert.equal(isLatin1('\u20ac'), false);
    assert.equal(isLatin1('😀'), false);
  });
  it('UTF-8 text ↔ its environ form', () => {
    assert.equal(utf8ToLatin1('é€'), '\u00c3\u00a9\u00e2\u0082\u00ac');
    assert.equal(latin1ToUtf8('\u00c3\u00a9\u00e2\u0082\u00ac'), 'é€');
  });
  it('percent-decodes to bytes read as latin-1, never through UTF-16', () => {
    assert.equal(percentDecodeToLatin1('/caf%C3%A9'), '/caf\u00c3\u00a9');
    assert.equal(percentDecodeToLatin1('/a%2Fb%20c'), '/a/b c');
    assert.equal(percentDecodeToLatin1('/%ff%FE'), '/\u00ff\u00fe');
    assert.equal(percentDecodeToLatin1('/plain'), '/plain');
  });
  it('leaves broken escapes as they are instead of throwing', () => {
    assert.equal(percentDecodeToLatin1('/%zz/%4/%'), '/%zz/%4/%');
    assert.equal(percentDecodeToLatin1('/%C3'), '/\u00c3');
  });
  it('takes raw non-ASCII chars as their UTF-8 bytes', () => {
    assert.equal(percentDecodeToLatin1('/é%20'), '/\u00c3\u00a9 ');
  });
  it('percent-encoding a latin-1 path round-trips through decoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const path = `/${bytesToLatin1(bytes)}`;
        const encoded = percentEncodeLatin1Path(path);
        assert.match(encoded, /^[\x21-\x7e]*$/);
        assert.equal(percentDecodeToLatin1(encoded), path);
      }),
    );
  });
  it('encodes what would end or confuse a path', () => {
    assert.equal(percentEncodeLatin1Path('/a b?c#d%'), '/a%20b%3Fc%23d%25');
  });
});
