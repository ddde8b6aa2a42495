import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJson } from '../../../gateway/config/json-parse.js';

const values = (doc: unknown, key?: string) =>
  parseJson(JSON.stringify(doc), 'c.json', key).values.map((v) => [v.name, v.value, v.key]);

describe('gateway/config/json-parse', () => {
  it('reads the object under "tsgi", else "uwsgi", else the top level', () => {
    assert.deepEqual(values({ tsgi: { listen: 5 }, uwsgi: { listen: 6 } }), [
      ['listen', '5', 'tsgi.listen'],
    ]);
    assert.deepEqual(values({ uwsgi: { listen: 6 } }), [['listen', '6', 'uwsgi.listen']]);
    assert.deepEqual(values({ listen: 7 }), [['listen', '7', 'listen']]);
  });

  it('reads the object under a named key', () => {
    assert.deepEqual(values({ prod: { listen: 8 }, uwsgi: { listen: 6 } }, 'prod'), [
      ['listen', '8', 'prod.listen'],
    ]);
    assert.throws(() => values({ uwsgi: {} }, 'prod'), { code: 'ERR_CONFIG_SECTION_NOT_FOUND' });
  });

  it('turns numbers and booleans into text for the shared parsers', () => {
    assert.deepEqual(values({ harakiri: 30, master: true, vacuum: false, socket: '/a' }), [
      ['harakiri', '30', 'harakiri'],
      ['master', 'true', 'master'],
      ['vacuum', 'false', 'vacuum'],
      ['socket', '/a', 'socket'],
    ]);
  });

  it('repeats a list option for each array item', () => {
    assert.deepEqual(values({ uwsgi: { socket: ['/a', ':3031'] } }), [
      ['socket', '/a', 'uwsgi.socket'],
      ['socket', ':3031', 'uwsgi.socket'],
    ]);
  });

  it('refuses an array for a single-valued option', () => {
    assert.throws(() => values({ harakiri: [1, 2] }), {
      code: 'ERR_CONFIG_NOT_A_LIST',
      message: /"harakiri" is an array, but harakiri takes one value/,
    });
  });

  it('refuses null, nested objects and nested arrays instead of dropping them', () => {
    assert.throws(() => values({ harakiri: null }), {
      code: 'ERR_CONFIG_JSON_SHAPE',
      message: /null/,
    });
    assert.throws(() => values({ uwsgi: { socket: { a: 1 } } }), { code: 'ERR_CONFIG_JSON_SHAPE' });
    assert.throws(() => values({ socket: [['a']] }), { code: 'ERR_CONFIG_JSON_SHAPE' });
    assert.throws(() => values([1, 2]), { code: 'ERR_CONFIG_JSON_SHAPE' });
  });

  it('reports syntax errors with the file name', () => {
    assert.throws(() => parseJson('{"a": ', 'c.json'), {
      code: 'ERR_CONFIG_JSON_SYNTAX',
      message: /c\.json/,
    });
  });
});
