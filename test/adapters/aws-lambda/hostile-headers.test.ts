/**
 * Header maps an attacker shapes, and the two-map events AWS documents:
 * - a header name with `_` is dropped (nginx, Apache and gunicorn do the same), so
 *   `x_forwarded_for` can never merge into HTTP_X_FORWARDED_FOR and pick REMOTE_ADDR, nor
 *   `x_forwarded_proto: http` turn wsgi.url_scheme to http; ALB forwards such names unless
 *   `drop_invalid_header_fields` is on;
 * - `headers` and `multiValueHeaders` (and the two query maps) are combined: a name only in one of
 *   them is kept;
 * - API Gateway authorizer events are refused (400, ERR_LAMBDA_EVENT_INVALID), never served.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { handle } from 'tsgi/aws-lambda';
import { makeEvent, type Source } from './events-builder.js';
import { CONTEXT, callEcho, type Echo, echoApp, loadEvent } from './fixtures.js';

const call = callEcho;

async function echo(event: unknown): Promise<Echo> {
  const { result, log } = await call(event);
  assert.equal(result.statusCode, 200, `${result.body}\n${log}`);
  return JSON.parse(result.body) as Echo;
}

describe('aws-lambda: header names with underscores are dropped', () => {
  // Every source that carries a header map, with the client's headers as the event puts them.
  const SOURCES: Source[] = ['rest', 'http-v2', 'function-url', 'alb', 'alb-multi', 'lattice-v2'];
  for (const source of SOURCES) {
    test(`${source}: x_forwarded_for / x_forwarded_proto / user_agent never reach the environ`, async () => {
      const event = makeEvent(source, {
        headers: {
          host: 'example.test',
          'x-forwarded-proto': 'https',
          'user-agent': 'real-agent',
          x_forwarded_for: '6.6.6.6',
          x_forwarded_proto: 'http',
          user_agent: 'forged-agent',
        },
      });
      const seen = await echo(event);
      assert.notEqual(seen.cgi.REMOTE_ADDR, '6.6.6.6');
      assert.doesNotMatch(seen.cgi.HTTP_X_FORWARDED_FOR ?? '', /6\.6\.6\.6/);
      assert.equal(seen.scheme, 'https');
      assert.equal(seen.cgi.HTTP_X_FORWARDED_PROTO, 'https');
      assert.equal(seen.cgi.HTTP_USER_AGENT, 'real-agent');
      if (source === 'alb' || source === 'alb-multi')
        assert.equal(seen.cgi.REMOTE_ADDR, '203.0.113.9');
    });
  }

  test('VPC Lattice 1.0 (the AWS sample): its `user_agent` name is not HTTP_USER_AGENT', async () => {
    const seen = await echo(loadEvent('vpc-lattice-v1.json'));
    assert.equal(seen.cgi.HTTP_USER_AGENT, undefined);
    assert.equal(seen.cgi.HTTP_HEADER1, 'value1');
  });

  test('Lambda@Edge: a viewer request with x_forwarded_proto keeps https', async () => {
    const url = new URL('./fixtures/edge/docs-viewer-request.json', import.meta.url);
    const event = JSON.parse(readFileSync(url, 'utf8')) as {
      Records: Array<{ cf: { request: { headers: Record<string, unknown> } } }>;
    };
    const headers = event.Records[0]!.cf.request.headers;
    headers.x_forwarded_proto = [{ key: 'X_Forwarded_Proto', value: 'http' }];
    headers.user_agent = [{ key: 'User_Agent', value: 'forged-agent' }];
    const logs: string[] = [];
    const out = (await handle(echoApp, { log: (l) => logs.push(l) })(event as never, CONTEXT)) as {
      status: string;
      body: string;
    };
    assert.equal(out.status, '200', `${out.body}\n${logs.join('\n')}`);
    const seen = JSON.parse(out.body) as Echo;
    assert.equal(seen.scheme, 'https');
    assert.equal(seen.cgi.HTTP_X_FORWARDED_PROTO, undefined);
    assert.equal(seen.cgi.HTTP_USER_AGENT, 'curl/7.66.0');
  });

  test('an ALB event: x_forwarded_for sorted after x-forwarded-for cannot pick REMOTE_ADDR', async () => {
    const event = makeEvent('alb', { headers: { host: 'example.test' } });
    (event.headers as Record<string, string>).x_forwarded_for = '6.6.6.6';
    const seen = await echo(event);
    assert.equal(seen.cgi.REMOTE_ADDR, '203.0.113.9');
    assert.equal(seen.cgi.HTTP_X_FORWARDED_FOR, '198.51.100.1, 203.0.113.9');
  });
});

describe('aws-lambda: headers and multiValueHeaders are combined', () => {
  test('REST: multiValueHeaders {} next to headers keeps Host, User-Agent and Content-Type', async () => {
    // The shape of AWS's REST proxy example when multi-value maps are empty: the names live in
    // `headers` only.
    const event = makeEvent('rest', { method: 'POST', body: '{"a":1}' });
    event.headers = {
      Host: 'api.example.test',
      'User-Agent': 'curl/8.0',
      'Content-Type': 'application/json',
    };
    event.multiValueHeaders = {};
    const seen = await echo(event);
    assert.equal(seen.cgi.HTTP_HOST, 'api.example.test');
    assert.equal(seen.cgi.SERVER_NAME, 'api.example.test');
    assert.equal(seen.cgi.HTTP_USER_AGENT, 'curl/8.0');
    assert.equal(seen.cgi.CONTENT_TYPE, 'application/json');
  });

  test('REST: a name in both maps takes every multi value once; names differ in case', async () => {
    const event = makeEvent('rest');
    event.headers = { host: 'h.test', Accept: 'text/html', 'X-Only-Single': 'one' };
    event.multiValueHeaders = { Host: ['h.test'], accept: ['text/plain', 'text/html'] };
    const seen = await echo(event);
    assert.equal(seen.cgi.HTTP_HOST, 'h.test');
    assert.equal(seen.cgi.HTTP_ACCEPT, 'text/plain, text/html');
    assert.equal(seen.cgi.HTTP_X_ONLY_SINGLE, 'one');
  });

  test('ALB multi-value: a name only in headers is kept', async () => {
    const event = makeEvent('alb-multi', { headers: { host: 'lb.test' } });
    event.headers = { 'content-type': 'text/plain', host: 'lb.test' };
    const seen = await echo(event);
    assert.equal(seen.cgi.CONTENT_TYPE, 'text/plain');
    assert.equal(seen.cgi.HTTP_HOST, 'lb.test');
  });

  test('REST and ALB: the two query maps are combined too', async () => {
    for (const source of ['rest', 'alb-multi'] as const) {
      const event = makeEvent(source, { query: { a: ['1', '2'] } });
      event.queryStringParameters = { a: '2', b: 'only-single' };
      const seen = await echo(event);
      assert.equal(seen.cgi.QUERY_STRING, 'a=1&a=2&b=only-single', source);
    }
  });
});

describe('aws-lambda: authorizer events are refused', () => {
  const REST_REQUEST_AUTHORIZER = {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request',
    resource: '/request',
    path: '/request',
    httpMethod: 'GET',
    headers: { Host: 'abcdef123.execute-api.us-east-1.amazonaws.com', HeaderAuth1: 'headerValue1' },
    multiValueHeaders: { HeaderAuth1: ['headerValue1'] },
    queryStringParameters: { QueryString1: 'queryValue1' },
    multiValueQueryStringParameters: { QueryString1: ['queryValue1'] },
    pathParameters: {},
    stageVariables: { StageVar1: 'stageValue1' },
    requestContext: {
      path: '/request',
      accountId: '123456789012',
      resourceId: '05c7jb',
      stage: 'test',
      requestId: '...',
      identity: { sourceIp: '203.0.113.9' },
      resourcePath: '/request',
      httpMethod: 'GET',
      apiId: 'abcdef123',
    },
  };
  const HTTP_API_REQUEST_AUTHORIZER = {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request',
    identitySource: ['user1'],
    routeKey: 'GET /request',
    rawPath: '/request',
    rawQueryString: '',
    headers: { host: 'abcdef123.execute-api.us-east-1.amazonaws.com' },
    requestContext: {
      domainName: 'abcdef123.execute-api.us-east-1.amazonaws.com',
      http: { method: 'GET', path: '/request', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9' },
      stage: '$default',
    },
  };
  const TOKEN_AUTHORIZER = {
    type: 'TOKEN',
    authorizationToken: 'allow',
    methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request',
  };
  for (const [name, event] of [
    ['REST REQUEST authorizer', REST_REQUEST_AUTHORIZER],
    ['HTTP API REQUEST authorizer (payload 2.0)', HTTP_API_REQUEST_AUTHORIZER],
    ['REST TOKEN authorizer', TOKEN_AUTHORIZER],
  ] as const) {
    test(`a ${name} event → 400 ERR_LAMBDA_EVENT_INVALID naming the authorizer`, async () => {
      const { result, log } = await call(event);
      assert.equal(result.statusCode, 400, result.body);
      assert.match(result.body, /ERR_LAMBDA_EVENT_INVALID/);
      assert.match(result.body, /authorizer/);
      assert.match(log, /\[test-request-id\] ERR_LAMBDA_EVENT_INVALID/);
    });
  }
});
