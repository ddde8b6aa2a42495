import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIni } from '../../../gateway/config/ini-parse.js';

const lines = (text: string, section?: string) =>
  parseIni(text, 'uwsgi.ini', section).lines.map((l) => [l.name, l.value, l.line]);

describe('gateway/config/ini-parse', () => {
  it('reads key = value lines of [uwsgi], with line numbers', () => {
    assert.deepEqual(lines('[uwsgi]\nsocket = /run/a.sock\nharakiri=30\n'), [
      ['socket', '/run/a.sock', 2],
      ['harakiri', '30', 3],
    ]);
  });

  it('prefers [tsgi] over [uwsgi] when the file has both', () => {
    const text = '[uwsgi]\nharakiri = 60\n[tsgi]\nharakiri = 30\n';
    const sel = parseIni(text, 'x.ini');
    assert.equal(sel.section, 'tsgi');
    assert.deepEqual(
      sel.lines.map((l) => l.value),
      ['30'],
    );
  });

  it('reads a named section, and every part of a section that appears twice', () => {
    const text = '[app1]\nlisten = 1\n[app2]\nlisten = 2\n[app1]\nlisten = 3\n';
    assert.deepEqual(lines(text, 'app1'), [
      ['listen', '1', 2],
      ['listen', '3', 6],
    ]);
  });

  it('fails when the named (or default) section is missing, listing those found', () => {
    assert.throws(() => parseIni('[other]\na = 1\n', 'x.ini'), {
      code: 'ERR_CONFIG_SECTION_NOT_FOUND',
      message: /x\.ini has no \[tsgi\] or \[uwsgi\] section \(found: \[other\]\)/,
    });
    assert.throws(() => parseIni('[uwsgi]\n', 'x.ini', 'prod'), {
      code: 'ERR_CONFIG_SECTION_NOT_FOUND',
    });
  });

  it('keeps # and ; inside a [tsgi] value (comments only at the start of a line)', () => {
    const text = '[tsgi]\n# a comment\n  ; indented comment\nharakiri = 30 ; not a comment\n';
    assert.deepEqual(lines(text), [['harakiri', '30 ; not a comment', 4]]);
    assert.deepEqual(parseIni(text, 'u.ini').commentLines, []);
  });

  it('ends a [uwsgi] value at a space followed by # or ;, and reports the lines', () => {
    const text =
      '[uwsgi]\nmaster = True # main process\nprocesses = 2 ;workers\nsocket = /tmp/a#b.sock\nchdir=/srv\t# tab\n';
    assert.deepEqual(lines(text), [
      ['master', 'True', 2],
      ['processes', '2', 3],
      ['socket', '/tmp/a#b.sock', 4],
      ['chdir', '/srv', 5],
    ]);
    assert.deepEqual(parseIni(text, 'u.ini').commentLines, [2, 3, 5]);
  });

  it('takes everything after the first = and trims it', () => {
    assert.deepEqual(lines('[uwsgi]\nlog-format =  a=b  c \n'), [['log-format', 'a=b  c', 2]]);
  });

  it('gives a bare key, or an empty value, no value (null)', () => {
    assert.deepEqual(lines('[uwsgi]\nmaster\nvacuum =\n'), [
      ['master', null, 2],
      ['vacuum', null, 3],
    ]);
  });

  it('keeps repeated keys in order (the resolver decides list vs last wins)', () => {
    assert.deepEqual(lines('[uwsgi]\nsocket = a\nsocket = b\n'), [
      ['socket', 'a', 2],
      ['socket', 'b', 3],
    ]);
  });

  it('accepts CRLF line ends and a byte-order mark', () => {
    assert.deepEqual(lines('\uFEFF[uwsgi]\r\nlisten = 5\r\n'), [['listen', '5', 2]]);
  });

  it('refuses malformed headers, keyless lines and keys before any section', () => {
    assert.throws(() => parseIni('[uwsgi\n', 'x.ini'), {
      code: 'ERR_CONFIG_INI_SYNTAX',
      message: /x\.ini:1/,
    });
    assert.throws(() => parseIni('[uwsgi]\n= 5\n', 'x.ini'), {
      code: 'ERR_CONFIG_INI_SYNTAX',
      message: /x\.ini:2/,
    });
    assert.throws(() => parseIni('harakiri = 5\n[uwsgi]\n', 'x.ini'), {
      code: 'ERR_CONFIG_INI_SYNTAX',
      message: /before any \[section\]/,
    });
  });
});
