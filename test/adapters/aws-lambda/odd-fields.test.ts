/**
 * Event fields of the wrong type, as a hand-written test event or a hostile invoker sends them:
 * each is a 400 naming the field (ERR_LAMBDA_EVENT_INVALID), never a 500 from a TypeError deep in
 * the adapter, and never a value made up from the wrong type (`a=null`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeEvent, type Source } from './events-builder.js';
import { callEcho } from './fixtures.js';

const call = callEcho;

/** The query map each source carries, by its field name. */
const QUERY_FIELDS: [Source, string][] = [
  ['rest', 'queryStringParameters'],
  ['rest', 'multiValueQueryStringParameters'],
  ['alb', 'queryStringParameters'],
  ['alb-multi', 'multiValueQueryStringParameters'],
  ['lattice-v2', 'queryStringParameters'],
];

describe('aws-lambda: query maps with values of the wrong type', () => {
  const BAD: [string, unknown][] = [
    ['a number', 1],
    ['an object', { x: 'y' }],
    ['a list holding null', [null, 'x']],
    ['a list holding a number', ['x', 2]],
  ];
  for (const [source, field] of QUERY_FIELDS) {
    for (const [what, value] of BAD) {
      test(`${source} ${field} with ${what}: 400 naming the parameter`, async () => {
        const event = makeEvent(source);
        event[field] = { a: value };
        if (field === 'queryStringParameters') event.multiValueQueryStringParameters = null;
        const { result, log } = await call(event);
        assert.equal(result.statusCode, 400, result.body);
        assert.match(result.body, /ERR_LAMBDA_EVENT_INVALID/);
        assert.match(result.body, /query parameter "a"/);
        assert.match(log, /query parameter "a"/);
      });
    }
  }

  test('well-typed maps still pass: strings and lists of strings, null entries skipped', async () => {
    const event = makeEvent('rest');
    event.queryStringParameters = null;
    event.multiValueQueryStringParameters = { a: ['1', '2'], b: null, c: [] };
    const { result } = await call(event);
    assert.equal(result.statusCode, 200, result.body);
    assert.equal(JSON.parse(result.body).cgi.QUERY_STRING, 'a=1&a=2');
  });
});
