/**
 * Real runs: examples/aws-lambda.ts bundled with esbuild as a deploy would, loaded by AWS's own
 * runtime interface client (aws-lambda-ric 3.3.0) as `_HANDLER`, polling a local Runtime API.
 * Buffered (`handler`) and streamed (`streamingHandler`, the runtime's streaming response mode).
 * The runtime client must be installed (scripts/setup.sh); without it these tests fail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type InvocationOutcome,
  parseStreamedHttpResponse,
  type RuntimeApi,
  startRuntimeApi,
} from '../../helpers/lambda-runtime-api.js';
import { makeEvent, type Source } from './events-builder.js';
import { loadEvent } from './fixtures.js';
import { buildExample, type RicProcess, requireRic, startRic } from './ric-process.js';

type Result = {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
  body: string;
  isBase64Encoded: boolean;
};

function furl(path: string, method = 'GET', body?: string): Record<string, unknown> {
  const event = loadEvent('function-url-captured-get-trailing-slash.json');
  const rc = event.requestContext as { http: { method: string; path: string } };
  rc.http.method = method;
  rc.http.path = path;
  event.rawPath = path;
  if (body !== undefined) {
    event.body = Buffer.from(body).toString('base64');
    event.isBase64Encoded = true;
  }
  return event;
}

function result(outcome: InvocationOutcome): Result {
  assert.equal(outcome.kind, 'response', outcome.body.toString());
  assert.equal(outcome.streamed, false);
  return JSON.parse(outcome.body.toString()) as Result;
}

describe('aws-lambda under aws-lambda-ric against a local Runtime API', () => {
  let example: Awaited<ReturnType<typeof buildExample>> | undefined;
  let bufferedApi: RuntimeApi | undefined;
  let streamingApi: RuntimeApi | undefined;
  let buffered: RicProcess | undefined;
  let streaming: RicProcess | undefined;

  before(async () => {
    requireRic(); // fails the suite with "run scripts/setup.sh" when missing
    example = await buildExample();
    bufferedApi = await startRuntimeApi();
    streamingApi = await startRuntimeApi();
    buffered = startRic(example.taskRoot, 'handler', bufferedApi.address);
    streaming = startRic(example.taskRoot, 'streamingHandler', streamingApi.address);
  });

  after(async () => {
    await buffered?.stop();
    await streaming?.stop();
    await bufferedApi?.close();
    await streamingApi?.close();
    example?.remove();
  });

  describe('buffered: handle(app)', () => {
    test('Function URL GET /', async () => {
      const r = result(await bufferedApi!.invoke(furl('/')));
      assert.equal(r.statusCode, 200);
      assert.equal(r.body, 'Hello from TSGI on Lambda\n');
      assert.equal(r.headers?.['content-length'], '26');
    });

    test('POST with a base64 body, the request id from the runtime in aws.context', async () => {
      const outcome = await bufferedApi!.invoke(furl('/echo', 'POST', 'héllo'), {
        requestId: 'ric-req-1',
      });
      const echo = JSON.parse(result(outcome).body) as Record<string, unknown>;
      assert.equal(echo.method, 'POST');
      assert.equal(echo.body, 'héllo');
      assert.equal(echo.contentLength, '6');
      assert.equal(echo.requestId, 'ric-req-1');
    });

    test('cookies per source: cookies[], REST multiValueHeaders, ALB case variants', async () => {
      const v2 = result(await bufferedApi!.invoke(furl('/cookies')));
      assert.equal(v2.cookies?.length, 2);
      const rest = result(await bufferedApi!.invoke(makeEvent('rest', { path: '/cookies' })));
      assert.equal(rest.multiValueHeaders?.['set-cookie']?.length, 2);
      const alb = result(await bufferedApi!.invoke(makeEvent('alb', { path: '/cookies' })));
      assert.equal(alb.statusDescription, '200 OK');
      assert.ok(alb.headers?.['set-cookie'] && alb.headers['Set-cookie']);
      const albMv = result(await bufferedApi!.invoke(makeEvent('alb-multi', { path: '/cookies' })));
      assert.equal(albMv.multiValueHeaders?.['set-cookie']?.length, 2);
    });

    test('binary body goes out base64', async () => {
      const r = result(await bufferedApi!.invoke(furl('/binary')));
      assert.equal(r.isBase64Encoded, true);
      const bytes = Buffer.from(r.body, 'base64');
      assert.equal(bytes.length, 256);
      assert.equal(bytes[255], 255);
    });

    test('a streaming body is collected whole', async () => {
      const r = result(
        await bufferedApi!.invoke(makeEvent('http-v2' as Source, { path: '/stream' })),
      );
      assert.equal(r.body, 'chunk 1\nchunk 2\nchunk 3\n');
    });

    test('an app that throws → 500 result, logged with the request id', async () => {
      const r = result(await bufferedApi!.invoke(furl('/throw'), { requestId: 'ric-throw-1' }));
      assert.equal(r.statusCode, 500);
      await buffered!.waitForOutput(
        /ric-throw-1\tERROR\t\[ric-throw-1\] ERR_TSGI_APP_ERROR \(GET \/throw\)/,
      );
    });

    test('2 MiB buffered: one result, Content-Length true', async () => {
      const r = result(await bufferedApi!.invoke(furl('/big')));
      assert.equal(r.body.length, 2 * 1024 * 1024);
      assert.equal(r.headers?.['content-length'], String(2 * 1024 * 1024));
    });

    test('a failure mid-body → 500 result', async () => {
      const r = result(await bufferedApi!.invoke(furl('/stream-error')));
      assert.equal(r.statusCode, 500);
    });

    test('a malformed event → 400 result with the reason', async () => {
      const r = result(await bufferedApi!.invoke({ hello: 'world' }));
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /ERR_LAMBDA_EVENT_INVALID/);
    });

    test('an SQS batch → the invocation fails, so SQS retries the messages instead of deleting them', async () => {
      const sqs = { Records: [{ messageId: 'm1', eventSource: 'aws:sqs', body: 'order 42' }] };
      const outcome = await bufferedApi!.invoke(sqs);
      assert.equal(outcome.kind, 'error', outcome.body.toString());
      assert.match(outcome.body.toString(), /ERR_LAMBDA_NOT_HTTP_EVENT/);
      await buffered!.waitForOutput(/ERR_LAMBDA_NOT_HTTP_EVENT.*"aws:sqs"/);
    });
  });

  describe('streamed: streamHandle(app)', () => {
    function streamed(outcome: InvocationOutcome) {
      assert.equal(outcome.kind, 'response', outcome.body.toString());
      assert.equal(outcome.streamed, true, 'the runtime used the streaming response mode');
      assert.equal(
        outcome.headers['content-type'],
        'application/vnd.awslambda.http-integration-response',
      );
      return parseStreamedHttpResponse(outcome.body);
    }

    test('chunks arrive after the prelude, status and headers in it', async () => {
      const outcome = await streamingApi!.invoke(furl('/stream'));
      const { prelude, body } = streamed(outcome);
      assert.equal(prelude.statusCode, 200);
      assert.equal(prelude.headers?.['content-type'], 'text/plain; charset=utf-8');
      assert.equal(body.toString(), 'chunk 1\nchunk 2\nchunk 3\n');
      assert.equal(outcome.trailers['lambda-runtime-function-error-type'], undefined);
    });

    test('cookies go in the prelude’s cookies[]', async () => {
      const { prelude } = streamed(await streamingApi!.invoke(furl('/cookies')));
      assert.deepEqual(prelude.cookies, [
        'a=1; Path=/; HttpOnly',
        'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT',
      ]);
      assert.equal(prelude.headers?.['set-cookie'], undefined);
    });

    test('binary bytes pass unchanged (no base64 when streaming)', async () => {
      const { body } = streamed(await streamingApi!.invoke(furl('/binary')));
      assert.deepEqual(
        [...body],
        Array.from({ length: 256 }, (_, i) => i),
      );
    });

    test('an app that throws before its headers → streamed 500', async () => {
      const { prelude, body } = streamed(await streamingApi!.invoke(furl('/throw')));
      assert.equal(prelude.statusCode, 500);
      assert.equal(body.toString(), '500 Internal Server Error\n');
    });

    test('2 MiB streamed in 64 chunks arrives whole (backpressure)', async () => {
      const { prelude, body } = streamed(await streamingApi!.invoke(furl('/big')));
      assert.equal(prelude.statusCode, 200);
      assert.equal(body.length, 2 * 1024 * 1024);
      assert.ok(body.every((b) => b === 120));
    });

    test('a failure after the prelude ends the stream with the error trailers', async () => {
      const outcome = await streamingApi!.invoke(furl('/stream-error'), {
        requestId: 'ric-abort-1',
      });
      const { prelude, body } = streamed(outcome);
      assert.equal(prelude.statusCode, 200);
      assert.equal(body.toString(), 'partial\n');
      assert.equal(outcome.trailers['lambda-runtime-function-error-type'], 'TsgiError');
      const detail = Buffer.from(
        outcome.trailers['lambda-runtime-function-error-body'] ?? '',
        'base64',
      ).toString();
      assert.match(detail, /ERR_LAMBDA_STREAM_ABORTED/);
      await streaming!.waitForOutput(/\[ric-abort-1\] ERR_TSGI_APP_ERROR_AFTER_HEADERS/);
    });

    test('a malformed event → streamed 400 with the reason', async () => {
      const { prelude, body } = streamed(await streamingApi!.invoke({ hello: 'world' }));
      assert.equal(prelude.statusCode, 400);
      assert.match(body.toString(), /ERR_LAMBDA_EVENT_INVALID/);
    });

    test('an SQS batch → the invocation fails, nothing is streamed', async () => {
      const sqs = { Records: [{ messageId: 'm2', eventSource: 'aws:sqs', body: 'order 43' }] };
      const outcome = await streamingApi!.invoke(sqs);
      // The runtime reports a streaming handler's rejection in the error trailers.
      const detail = Buffer.from(
        String(outcome.trailers['lambda-runtime-function-error-body'] ?? ''),
        'base64',
      ).toString();
      assert.match(detail, /ERR_LAMBDA_NOT_HTTP_EVENT/);
      assert.equal(outcome.body.length, 0, 'no prelude, no body');
    });

    test('HEAD: the prelude still goes out, with no body', async () => {
      const { prelude, body } = streamed(await streamingApi!.invoke(furl('/', 'HEAD')));
      assert.equal(prelude.statusCode, 200);
      assert.equal(body.length, 0);
    });
  });
});
