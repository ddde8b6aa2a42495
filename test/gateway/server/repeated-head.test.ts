// The head cache of the uwsgi response writer (gateway/server/repeated-head.ts): a response that
// repeats the last one's status, headers and length gets the same bytes without being serialized
// again; anything else is serialized (and checked) as serializeHead does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type AppResponse, createInput, type HeaderList, runApp } from 'tsgi';
import { RepeatedHead } from '../../../gateway/server/repeated-head.js';
import { serializeHead } from '../../../gateway/server/response-head.js';

/** A response as the gateway gets it: runApp over an app answering `status` and `headers`. */
async function respond(status: string, headers: HeaderList, body = 'hi'): Promise<AppResponse> {
  const environ = {
    REQUEST_METHOD: 'GET',
    SCRIPT_NAME: '',
    PATH_INFO: '/',
    QUERY_STRING: '',
    SERVER_NAME: 'localhost',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    'wsgi.input': createInput(undefined),
  } as never;
  return runApp((_environ, startResponse) => {
    startResponse(status, headers);
    return [body];
  }, environ);
}

function text(head: string | Buffer): string {
  return typeof head === 'string' ? head : head.toString('latin1');
}

describe('gateway/server/repeated-head', () => {
  it('hands back the same bytes for a repeated head, and serializes any change', async () => {
    const heads = new RepeatedHead();
    const hello = (value: string) =>
      respond('200 OK', [
        ['Content-Type', 'text/plain'],
        ['Content-Length', value],
      ]);
    const first = heads.head(await hello('2'), false, 2);
    assert.equal(typeof first, 'string', 'the first head is serialized');
    const second = heads.head(await hello(String(2)), false, 2);
    assert.ok(Buffer.isBuffer(second), 'a repeated head comes as bytes');
    assert.equal(text(second), first);
    assert.equal(heads.head(await hello('2'), false, 2), second, 'the same bytes again');

    const changes: Array<[Promise<AppResponse>, boolean, number | undefined]> = [
      [respond('201 Created', [['Content-Type', 'text/plain']]), false, 2],
      [respond('200 OK', [['Content-Type', 'text/html']]), false, 2],
      [respond('200 OK', [['Content-Typf', 'text/html']]), false, 2],
      [respond('200 OK', [['Content-Typf', 'text/html']]), false, 3],
      [respond('200 OK', [['Content-Typf', 'text/html']]), false, undefined],
      [respond('200 OK', [['Content-Typf', 'text/html']]), true, undefined],
      [respond('200 OK', []), true, undefined],
      [respond('200 OK', [['X', 'a']]), true, undefined],
    ];
    for (const [pending, bodyless, length] of changes) {
      const response = await pending;
      const head = heads.head(response, bodyless, length);
      assert.equal(typeof head, 'string', JSON.stringify(response.headers));
      assert.equal(head, serializeHead(response, bodyless, length));
    }
  });

  it('never keeps a head it refused', async () => {
    const heads = new RepeatedHead();
    const good = await respond('200 OK', [['X-A', '1']]);
    heads.head(good, false, 2);
    // An app that changes its header list after startResponse: the writer still checks it.
    const bad = await respond('200 OK', [['X-A', '1']]);
    (bad.headers as [string, string][])[0]![1] = '1\r\nSet-Cookie: x';
    assert.throws(() => heads.head(bad, false, 2), { code: 'ERR_GATEWAY_HEADER_CRLF' });
    assert.throws(() => heads.head(bad, false, 2), { code: 'ERR_GATEWAY_HEADER_CRLF' });
    assert.ok(Buffer.isBuffer(heads.head(good, false, 2)));
  });

  it('gives what serializeHead gives for any sequence of responses', async () => {
    const headerArb = fc.tuple(
      fc.constantFrom('X-A', 'X-B', 'Content-Type'),
      fc.constantFrom('1', '2', 'text/plain', ''),
    );
    const caseArb = fc.record({
      status: fc.constantFrom('200 OK', '200 Fine', '404 Not Found'),
      headers: fc.array(headerArb, { maxLength: 3 }),
      bodyless: fc.boolean(),
      length: fc.constantFrom(undefined, 0, 2),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(caseArb, { minLength: 1, maxLength: 6 }), async (cases) => {
        const heads = new RepeatedHead();
        for (const c of cases) {
          const response = await respond(c.status, c.headers);
          const expected = serializeHead(response, c.bodyless, c.length);
          assert.equal(text(heads.head(response, c.bodyless, c.length)), expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});
