/**
 * Failures end as results: a malformed event is a 400 naming what is wrong, an app failure a 500,
 * both logged with the request id. The one rejection: a batch of records (SQS, SNS, streams), for
 * which a result would tell the event source the records were handled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { App } from 'tsgi';
import { handle, LAMBDA_ERRORS, streamHandle } from 'tsgi/aws-lambda';
import { makeEvent } from './events-builder.js';
import { CONTEXT, echoApp } from './fixtures.js';

type Result = { statusCode: number; body: string; headers?: Record<string, string> };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

async function call(app: App, event: unknown, options = {}) {
  const logs: string[] = [];
  const result = (await handle(app, { log: (l) => logs.push(l), ...options })(
    event as never,
    CONTEXT,
  )) as Result;
  return { result, log: logs.join('\n') };
}

describe('aws-lambda errors', () => {
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  const v2 = makeEvent('http-v2');
  const MALFORMED: Array<[string, unknown, RegExp]> = [
    ['null', null, /the event is null/],
    ['a string', 'GET /', /the event is a string/],
    ['an array', [1], /the event is an array/],
    ['an empty object', {}, /no httpMethod, requestContext.http/],
    ['REST without path', { httpMethod: 'GET' }, /path must be a non-empty string/],
    ['REST with a relative path', { httpMethod: 'GET', path: 'x' }, /path must start with \//],
    [
      'a method with a space',
      { httpMethod: 'G ET', path: '/' },
      /httpMethod is not an HTTP method token/,
    ],
    [
      'v2 without a method',
      { ...v2, requestContext: { http: {} } },
      /requestContext.http.method must be/,
    ],
    ['a numeric body', { ...v2, body: 42 }, /body must be a string or null/],
    ['string headers', { ...v2, headers: 'host: x' }, /headers must be an object/],
    ['cookies not an array', { ...v2, cookies: 'a=1' }, /cookies must be an array of strings/],
    [
      'bad base64',
      { ...v2, body: 'not base64!!', isBase64Encoded: true },
      /ERR_LAMBDA_BODY_BASE64/,
    ],
  ];
  const BATCHES: Array<[string, unknown]> = [
    ['SQS', { Records: [{ messageId: 'm1', eventSource: 'aws:sqs', body: 'order 42' }] }],
    ['SNS', { Records: [{ EventSource: 'aws:sns', Sns: { Message: 'hi' } }] }],
    ['DynamoDB', { Records: [{ eventSource: 'aws:dynamodb', dynamodb: {} }] }],
    ['an empty Records[]', { Records: [] }],
  ];
  for (const [name, event] of BATCHES) {
    test(`a batch of records (${name}) rejects with ERR_LAMBDA_NOT_HTTP_EVENT, the app never runs`, async () => {
      let ran = false;
      const app: App = (environ, start) => {
        ran = true;
        return echoApp(environ, start);
      };
      const logs: string[] = [];
      const invoke = handle(app, { log: (l) => logs.push(l) });
      await assert.rejects(invoke(event as never, CONTEXT), { code: 'ERR_LAMBDA_NOT_HTTP_EVENT' });
      assert.match(logs.join('\n'), /\[test-request-id\] ERR_LAMBDA_NOT_HTTP_EVENT/);
      assert.equal(ran, false);
    });
  }

  for (const [name, event, message] of MALFORMED) {
    test(`a malformed event (${name}) → 400 with the reason, logged with the request id`, async () => {
      const { result, log } = await call(echoApp, event);
      assert.equal(result.statusCode, 400);
      assert.match(result.body, /^400 Bad Request\n/);
      assert.match(result.body, message);
      assert.match(log, /\[test-request-id\] ERR_LAMBDA_/);
      assert.equal(result.headers?.['content-length'], String(Buffer.byteLength(result.body)));
    });
  }

  const FAILING: Array<[string, App, RegExp]> = [
    [
      'throws',
      () => {
        throw new Error('boom');
      },
      /ERR_TSGI_APP_ERROR .*boom/,
    ],
    [
      'rejects',
      async () => {
        throw new Error('async boom');
      },
      /ERR_TSGI_APP_ERROR .*async boom/,
    ],
    [
      'returns a bare string',
      ((_e, s) => {
        s('200 OK', [['Content-Type', 'text/plain']]);
        return 'x';
      }) as App,
      /ERR_TSGI_BODY_NOT_ITERABLE/,
    ],
    [
      'fails mid-body',
      (_e, s) => {
        s('200 OK', [['Content-Type', 'text/plain']]);
        return (async function* () {
          yield 'partial';
          throw new Error('late boom');
        })();
      },
      /ERR_LAMBDA_BODY_FAILED/,
    ],
  ];
  for (const [name, app, logged] of FAILING) {
    test(`an app that ${name} → 500, logged with the request id, no rejection`, async () => {
      const { result, log } = await call(app, makeEvent('rest'));
      assert.equal(result.statusCode, 500);
      assert.equal(result.body, '500 Internal Server Error\n');
      assert.match(log, /\[test-request-id\]/);
      assert.match(log, logged);
    });
  }

  test('a buffered body over maxResponseBytes → 500 naming the limit', async () => {
    const app: App = (_e, s) => {
      s('200 OK', [['Content-Type', 'text/plain']]);
      return ['x'.repeat(100)];
    };
    const { result, log } = await call(app, makeEvent('alb'), { maxResponseBytes: 50 });
    assert.equal(result.statusCode, 500);
    assert.match(log, /ERR_LAMBDA_RESPONSE_TOO_LARGE: .*100 bytes, maxResponseBytes is 50/);
  });

  test('ALB results default to the 1 MB limit, others to 6 MB', async () => {
    const big: App = (_e, s) => {
      s('200 OK', [['Content-Type', 'text/plain']]);
      return [new Uint8Array(1024 * 1024 + 1).fill(97)];
    };
    assert.equal((await call(big, makeEvent('alb'))).result.statusCode, 500);
    assert.equal((await call(big, makeEvent('http-v2'))).result.statusCode, 200);
  });

  test('the request id falls back to requestContext.requestId without a context', async () => {
    const logs: string[] = [];
    const handler = handle(
      () => {
        throw new Error('x');
      },
      { log: (l) => logs.push(l) },
    );
    await handler(makeEvent('http-v2') as never);
    assert.match(logs.join('\n'), /\[v2-req\] ERR_TSGI_APP_ERROR/);
  });

  test('streamHandle outside the Lambda runtime rejects with a coded error when called', async () => {
    assert.equal((globalThis as { awslambda?: unknown }).awslambda, undefined);
    const handler = streamHandle(echoApp);
    await assert.rejects(handler(makeEvent('function-url') as never, {} as never), {
      code: 'ERR_LAMBDA_NO_STREAMING_RUNTIME',
    });
  });

  test('LAMBDA_ERRORS: every code is ERR_LAMBDA_*, with a message and a fix', () => {
    for (const [code, spec] of Object.entries(LAMBDA_ERRORS)) {
      assert.match(code, /^ERR_LAMBDA_[A-Z0-9_]+$/);
      assert.ok(spec.message.length > 10 && spec.fix.length > 10, code);
    }
  });

  test('no unhandled rejection happened during these tests', async () => {
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(unhandled, []);
  });
});
