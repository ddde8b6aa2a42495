import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseBoolean,
  parseBytes,
  parseInteger,
  parseMode,
  parseSeconds,
  parseText,
  ValueError,
} from '../../../gateway/config/option-types.js';

describe('gateway/config/option-types', () => {
  it('reads booleans as true/false, yes/no, on/off, 1/0 in any case', () => {
    for (const v of ['true', 'YES', 'On', '1']) assert.equal(parseBoolean(v), true, v);
    for (const v of ['false', 'no', 'OFF', '0']) assert.equal(parseBoolean(v), false, v);
  });

  it('refuses other words for booleans (uWSGI took them as true)', () => {
    assert.throws(() => parseBoolean('enabled'), ValueError);
    assert.throws(() => parseBoolean(''), ValueError);
  });

  it('reads whole numbers within bounds, and nothing else', () => {
    assert.equal(parseInteger('42'), 42);
    assert.equal(parseInteger(' 7 '), 7);
    assert.throws(() => parseInteger('-1'), /whole number/);
    assert.throws(() => parseInteger('1.5'), ValueError);
    assert.throws(() => parseInteger('true'), ValueError); // uWSGI's atoi made this 0
    assert.throws(() => parseInteger('0', 1), /1 or more/);
    assert.throws(() => parseInteger('256', 0, 255), /0 to 255/);
  });

  it('reads seconds as non-negative decimals', () => {
    assert.equal(parseSeconds('30'), 30);
    assert.equal(parseSeconds('0.5'), 0.5);
    assert.throws(() => parseSeconds('-3'), ValueError);
    assert.throws(() => parseSeconds('30s'), /seconds/);
  });

  it('reads bytes with k, m and g suffixes (×1024) and an upper bound', () => {
    assert.equal(parseBytes('4096'), 4096);
    assert.equal(parseBytes('64k'), 65536);
    assert.equal(parseBytes('2M'), 2 * 1024 * 1024);
    assert.equal(parseBytes('1g'), 1024 ** 3);
    assert.equal(parseBytes('10kb'), 10240);
    assert.throws(() => parseBytes('64k', 65535), /at most 65535/);
    assert.throws(() => parseBytes('lots'), ValueError);
  });

  it('reads octal modes of three digits (a leading 0 is allowed)', () => {
    assert.equal(parseMode('660'), 0o660);
    assert.equal(parseMode('0666'), 0o666);
    assert.throws(() => parseMode('888'), /octal/);
    assert.throws(() => parseMode('66'), ValueError);
  });

  it('refuses empty text', () => {
    assert.equal(parseText('/run/app.sock'), '/run/app.sock');
    assert.throws(() => parseText('  '), ValueError);
  });
});
