/**
 * Lambda@Edge under AWS's runtime interface client: examples/aws-lambda.ts bundled as a deploy
 * would, run by aws-lambda-ric against the local Runtime API, given AWS's sample request events.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type RuntimeApi, startRuntimeApi } from '../../helpers/lambda-runtime-api.js';
import { buildExample, type RicProcess, requireRic, startRic } from './ric-process.js';

type Request = { uri: string; headers: Record<string, Array<{ key: string; value: string }>> };
type Event = { Records: Array<{ cf: { config: { eventType: string }; request: Request } }> };

function sample(file: string, uri: string, eventType?: string): Event {
  const event = JSON.parse(
    readFileSync(new URL(`./fixtures/edge/${file}`, import.meta.url), 'utf8'),
  ) as Event;
  const cf = event.Records[0]!.cf;
  cf.request.uri = uri;
  if (eventType) cf.config.eventType = eventType;
  return event;
}

describe('aws-lambda: Lambda@Edge under aws-lambda-ric', () => {
  let example: Awaited<ReturnType<typeof buildExample>> | undefined;
  let api: RuntimeApi | undefined;
  let ric: RicProcess | undefined;

  before(async () => {
    requireRic();
    example = await buildExample();
    api = await startRuntimeApi();
    ric = startRic(example.taskRoot, 'handler', api.address);
  });
  after(async () => {
    await ric?.stop();
    await api?.close();
    example?.remove();
  });

  test('a viewer request gets a generated response in CloudFront shape', async () => {
    const outcome = await api!.invoke(sample('docs-viewer-request.json', '/cookies'));
    assert.equal(outcome.kind, 'response', outcome.body.toString());
    const result = JSON.parse(outcome.body.toString()) as Record<string, unknown>;
    assert.deepEqual(result, {
      status: '200',
      statusDescription: 'OK',
      headers: {
        'content-type': [{ key: 'Content-Type', value: 'text/plain; charset=utf-8' }],
        'set-cookie': [
          { key: 'Set-Cookie', value: 'a=1; Path=/; HttpOnly' },
          { key: 'Set-Cookie', value: 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT' },
        ],
      },
      body: 'two cookies\n',
      bodyEncoding: 'text',
    });
  });

  test('an origin request the app forwards comes back as the request, with its change', async () => {
    const event = sample('docs-request-event-origin.json', '/to-origin', 'origin-request');
    const outcome = await api!.invoke(event);
    assert.equal(outcome.kind, 'response', outcome.body.toString());
    const request = JSON.parse(outcome.body.toString()) as Request & { origin?: unknown };
    const sent = event.Records[0]!.cf.request as Request & { origin?: unknown };
    assert.equal(request.uri, '/to-origin');
    assert.deepEqual(request.origin, sent.origin);
    assert.deepEqual(request.headers, {
      ...sent.headers,
      'x-served-by': [{ key: 'X-Served-By', value: 'tsgi' }],
    });
  });

  test('the echo route sees the base64 body and the IPv6 client address', async () => {
    const outcome = await api!.invoke(sample('viewer-request-body-ipv6.json', '/echo'));
    const result = JSON.parse(outcome.body.toString()) as { status: string; body: string };
    assert.equal(result.status, '200');
    const echo = JSON.parse(result.body) as Record<string, string>;
    assert.equal(echo.remoteAddr, '2001:0db8:85a3:0:0:8a2e:0370:7334');
    assert.equal(echo.body, '{"username":"Lambda@Edge","comment":"This is request body"}');
    assert.equal(echo.pathInfo, '/echo');
  });
});
