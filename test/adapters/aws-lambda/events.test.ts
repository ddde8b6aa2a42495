/**
 * Every sample event in fixtures/events through handle(): the environ each one yields
 * (checked by the core validator and against a table), and the result shape of its source,
 * compared with the response samples.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectSource, handle } from 'tsgi/aws-lambda';
import {
  CONTEXT,
  type Echo,
  echoApp,
  eventFiles,
  loadEvent,
  RESPONSE_SAMPLES,
} from './fixtures.js';

interface Expected {
  source: string;
  method: string;
  path: string;
  query: string;
  name: string;
  port: string;
  scheme: 'http' | 'https';
  remote?: string;
  cookie?: string;
  body: string;
  length?: string;
}

const EXPECTED: Record<string, Expected> = {
  'alb-encoded-query.json': {
    source: 'alb',
    method: 'GET',
    path: '/',
    query: 'myKey=%3FshowAll%3Dtrue',
    name: 'lambda-846800462-us-east-2.elb.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: '72.21.198.66',
    cookie: 'cookies',
    body: 'request_body',
    length: '12',
  },
  'alb-get-with-body.json': {
    source: 'alb',
    method: 'GET',
    path: '/lambda',
    query: 'query=1234ABCD',
    name: 'lambda-alb-123578498.us-east-2.elb.amazonaws.com',
    port: '80',
    scheme: 'http',
    remote: '72.12.164.125',
    body: 'Test',
    length: '4',
  },
  'alb-health-check.json': {
    source: 'alb',
    method: 'GET',
    path: '/',
    query: '',
    name: 'localhost',
    port: '443',
    scheme: 'https',
    body: '',
  },
  'alb-multi-value-encoded-query.json': {
    source: 'alb-multi',
    method: 'GET',
    path: '/',
    query: 'myKey=%3FshowAll%3Dtrue&myKey=%3FshowAll%3Dfalse',
    name: 'lambda-846800462-us-east-2.elb.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: '72.21.198.66',
    cookie: 'name1=value1; name2=value2',
    body: 'request_body',
    length: '12',
  },
  'alb-multi-value-headers.json': {
    source: 'alb-multi',
    method: 'GET',
    path: '/',
    query: 'key=hello',
    name: 'lambda-test-alb-1234567.us-east-1.elb.amazonaws.com',
    port: '80',
    scheme: 'http',
    remote: '72.21.198.67',
    body: '',
  },
  'alb-no-host-header.json': {
    source: 'alb',
    method: 'GET',
    path: '/v1/health/',
    query: '',
    name: 'localhost',
    port: '443',
    scheme: 'https',
    body: '',
  },
  'alb-single-value-headers.json': {
    source: 'alb',
    method: 'GET',
    path: '/',
    query: 'key=hello',
    name: 'lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com',
    port: '80',
    scheme: 'http',
    remote: '25.12.198.67',
    body: '',
  },
  'apigw-v1-console-test-invoke.json': {
    source: 'rest',
    method: 'POST',
    path: '/myPath',
    query: '',
    name: 'testprefix.testdomainname',
    port: '443',
    scheme: 'https',
    remote: 'test-invoke-source-ip',
    body: '{\r\n\t"a": 1\r\n}',
    length: '13',
  },
  'apigw-v1-custom-authorizer-crlf-body.json': {
    source: 'rest',
    method: 'POST',
    path: '/hello/world',
    query: 'name=me',
    name: 'gy415nuibc.execute-api.us-east-1.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: '192.168.196.186',
    body: '{\r\n\t"a": 1\r\n}',
    length: '13',
  },
  'apigw-v1-multi-value-query-and-headers.json': {
    source: 'rest',
    method: 'POST',
    path: '/hello/world',
    query: 'name=me&multiValueName=you&multiValueName=me',
    name: 'gy415nuibc.execute-api.us-east-1.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: '192.168.196.186',
    body: '{\r\n\t"a": 1\r\n}',
    length: '13',
  },
  'apigw-v1-named-stage.json': {
    source: 'rest',
    method: 'GET',
    path: '/hello',
    query: 'name=me',
    name: 'wt6mne2s9k.execute-api.us-west-2.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: '192.168.100.1',
    body: '',
  },
  'apigw-v1-no-host-header.json': {
    source: 'rest',
    method: 'GET',
    path: '/hello',
    query: 'name=me',
    name: 'localhost',
    port: '443',
    scheme: 'https',
    remote: '192.168.100.1',
    body: '',
  },
  'apigw-v1-rest-proxy.json': {
    source: 'http-v1',
    method: 'GET',
    path: '/my/path',
    query: 'parameter1=value1&parameter1=value2&parameter2=value',
    name: 'id.execute-api.us-east-1.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: '192.168.0.1/32',
    body: 'Hello from Lambda!',
    length: '18',
  },
  'apigw-v1-sam-local.json': {
    source: 'rest',
    method: 'GET',
    path: '/test',
    query: '',
    name: '127.0.0.1',
    port: '3000',
    scheme: 'http',
    remote: '127.0.0.1',
    body: '',
  },
  'apigw-v2-http-api-cookies-multi-query.json': {
    source: 'http-v2',
    method: 'POST',
    path: '/my/path',
    query: 'parameter1=value1&parameter1=value2&parameter2=value',
    name: 'id.execute-api.us-east-1.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: 'IP',
    cookie: 'cookie1=value1; cookie2=value2',
    body: 'Hello from Lambda',
    length: '17',
  },
  'apigw-v2-jwt-authorizer.json': {
    source: 'http-v2',
    method: 'GET',
    path: '/my/path',
    query: 'parameter1=value1&parameter1=value2&parameter2=value',
    name: 'id.execute-api.us-east-1.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: 'IP',
    cookie: 'cookie1; cookie2',
    body: '{\r\n\t"a": 1\r\n}',
    length: '13',
  },
  'apigw-v2-lambda-authorizer.json': {
    source: 'http-v2',
    method: 'GET',
    path: '/my/path',
    query: 'parameter1=value1&parameter1=value2&parameter2=value',
    name: 'id.execute-api.us-east-1.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: 'IP',
    cookie: 'cookie1; cookie2',
    body: '{\r\n\t"a": 1\r\n}',
    length: '13',
  },
  'apigw-v2-minimal.json': {
    source: 'http-v2',
    method: 'GET',
    path: '/',
    query: '',
    name: 'xxx.execute-api.us-east-1.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: '65.78.31.245',
    body: '',
    length: '0',
  },
  'apigw-v2-path-with-space.json': {
    source: 'http-v2',
    method: 'POST',
    path: '/my/path-with space',
    query: 'parameter1=value1&parameter1=value2&parameter2=value',
    name: 'id.execute-api.us-east-1.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: 'IP',
    cookie: 'cookie1=value1; cookie2=value2',
    body: 'Hello from Lambda',
    length: '17',
  },
  'apigw-v2-sam-local.json': {
    source: 'http-v2',
    method: 'GET',
    path: '/hello',
    query: '',
    name: '127.0.0.1',
    port: '3000',
    scheme: 'http',
    remote: '127.0.0.1',
    body: '',
  },
  'apigw-v2-stage-in-rawpath.json': {
    source: 'http-v2',
    method: 'POST',
    path: '/Prod/my/path',
    query: 'parameter1=value1&parameter1=value2&parameter2=value',
    name: 'id.execute-api.us-east-1.amazonaws.com',
    port: '443',
    scheme: 'https',
    remote: 'IP',
    cookie: 'cookie1=value1; cookie2=value2',
    body: 'Hello from Lambda',
    length: '17',
  },
  'function-url-captured-base64-body.json': {
    source: 'function-url',
    method: 'POST',
    path: '/',
    query: '',
    name: 'lambda-url-id.lambda-url.us-west-2.on.aws',
    port: '443',
    scheme: 'https',
    remote: '127.0.0.1',
    body: '<idk/>',
    length: '6',
  },
  'function-url-captured-get-trailing-slash.json': {
    source: 'function-url',
    method: 'GET',
    path: '/',
    query: '',
    name: 'lambda-url-id.lambda-url.us-west-2.on.aws',
    port: '443',
    scheme: 'https',
    remote: '127.0.0.1',
    body: '',
  },
  'function-url-captured-headers-cookies-text-body.json': {
    source: 'function-url',
    method: 'POST',
    path: '/hello',
    query: 'hello=world&foo=bar',
    name: 'lambda-url-id.lambda-url.us-west-2.on.aws',
    port: '443',
    scheme: 'https',
    remote: '127.0.0.1',
    cookie: 'foo=bar; hello=hello',
    body: '{"hello": "world"}',
    length: '18',
  },
  'function-url-iam-auth.json': {
    source: 'function-url',
    method: 'POST',
    path: '/my/path',
    query: 'parameter1=value1&parameter1=value2&parameter2=value',
    name: '<url-id>.lambda-url.us-west-2.on.aws',
    port: '443',
    scheme: 'https',
    remote: '123.123.123.123',
    cookie: 'cookie1; cookie2',
    body: 'Hello from client!',
    length: '18',
  },
  'vpc-lattice-v1.json': {
    source: 'lattice-v1',
    method: 'GET',
    path: '/testpath',
    query: 'order-id=1',
    name: 'test-lambda-service-3908sdf9u3u.dkfjd93.vpc-lattice-svcs.us-east-2.on.aws',
    port: '443',
    scheme: 'https',
    remote: '10.213.229.10',
    body: '{"test": "event"}',
    length: '17',
  },
  'vpc-lattice-v2.json': {
    source: 'lattice-v2',
    method: 'GET',
    path: '/newpath',
    query: 'order-id=1',
    name: 'test-lambda-service-3908sdf9u3u.dkfjd93.vpc-lattice-svcs.us-east-2.on.aws',
    port: '443',
    scheme: 'https',
    remote: '10.213.229.10',
    body: '{"message": "Hello from Lambda!"}',
    length: '33',
  },
};

/** Keys each source's result may carry, taken from the AWS docs and the response samples. */
const RESULT_KEYS: Record<string, string[]> = {
  rest: ['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded'],
  'http-v1': ['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded'],
  'http-v2': ['statusCode', 'headers', 'cookies', 'body', 'isBase64Encoded'],
  'function-url': ['statusCode', 'headers', 'cookies', 'body', 'isBase64Encoded'],
  alb: ['statusCode', 'statusDescription', 'headers', 'body', 'isBase64Encoded'],
  'alb-multi': ['statusCode', 'statusDescription', 'multiValueHeaders', 'body', 'isBase64Encoded'],
  'lattice-v1': ['statusCode', 'statusDescription', 'headers', 'body', 'isBase64Encoded'],
  'lattice-v2': ['statusCode', 'statusDescription', 'headers', 'body', 'isBase64Encoded'],
};

/** The response sample each source's result is compared with, field by field (types). */
const SAMPLE_FOR: Record<string, string> = {
  rest: 'apigw-v1-response.json',
  'http-v1': 'apigw-v1-response.json',
  'http-v2': 'function-url-response.json',
  'function-url': 'function-url-response.json',
  alb: 'alb-response-multi-value.json',
  'alb-multi': 'alb-response-multi-value.json',
  'lattice-v1': 'alb-response-multi-value.json',
  'lattice-v2': 'alb-response-multi-value.json',
};

function kind(value: unknown): string {
  if (Array.isArray(value)) return `array of ${[...new Set(value.map(kind))].join('|') || 'any'}`;
  if (value && typeof value === 'object') {
    const kinds = new Set(Object.values(value).map(kind));
    return `map of ${[...kinds].join('|')}`;
  }
  return typeof value;
}

describe('aws-lambda: every vendored sample event through handle()', () => {
  const files = eventFiles();

  test('the vendored events folder is there and every file is covered', () => {
    assert.ok(
      files.length >= 30,
      `expected the 30+ samples in fixtures/events, got ${files.length}`,
    );
    const known = new Set([...Object.keys(EXPECTED), ...RESPONSE_SAMPLES]);
    assert.deepEqual(
      files.filter((f) => !known.has(f)),
      [],
      'a new sample needs a row in EXPECTED',
    );
  });

  for (const file of files.filter((f) => !RESPONSE_SAMPLES.includes(f))) {
    test(file, async () => {
      const expected = EXPECTED[file]!;
      const event = loadEvent(file);
      const logs: string[] = [];
      const handler = handle(echoApp, { log: (line) => logs.push(line) });
      assert.equal(detectSource(event), expected.source);
      const result = (await handler(event as never, CONTEXT)) as Record<string, unknown>;
      assert.equal(result.statusCode, 200, `${String(result.body)}\n${logs.join('\n')}`);
      assert.deepEqual(logs, [], 'no validator warnings or errors');

      const echo = JSON.parse(result.body as string) as Echo;
      const cgi = echo.cgi;
      assert.equal(cgi.REQUEST_METHOD, expected.method);
      assert.equal(cgi.SCRIPT_NAME, '');
      assert.equal(cgi.PATH_INFO, expected.path);
      assert.equal(cgi.QUERY_STRING, expected.query);
      assert.equal(cgi.SERVER_NAME, expected.name);
      assert.equal(cgi.SERVER_PORT, expected.port);
      assert.equal(echo.scheme, expected.scheme);
      assert.equal(cgi.REMOTE_ADDR, expected.remote);
      assert.equal(cgi.HTTP_COOKIE, expected.cookie);
      assert.equal(echo.body, expected.body);
      assert.equal(cgi.CONTENT_LENGTH, expected.length);
      assert.equal(cgi.HTTP_CONTENT_LENGTH, undefined);
      assert.equal(cgi.HTTP_CONTENT_TYPE, undefined);
      assert.ok(echo.hasEvent && echo.hasContext, 'aws.event and aws.context are set');

      // The result has exactly the fields its source accepts, typed like the AWS sample.
      const allowed = RESULT_KEYS[expected.source]!;
      for (const key of Object.keys(result))
        assert.ok(allowed.includes(key), `${key} in a ${expected.source} result`);
      const sample = loadEvent(SAMPLE_FOR[expected.source]!);
      for (const [key, value] of Object.entries(result)) {
        if (key in sample) assert.equal(kind(value), kind(sample[key]), `type of ${key}`);
      }
      assert.equal(result.isBase64Encoded, false);
      const headers = (result.headers ?? {}) as Record<string, string>;
      const mv = (result.multiValueHeaders ?? {}) as Record<string, string[]>;
      const length = headers['content-length'] ?? mv['content-length']?.[0];
      assert.equal(length, String(Buffer.byteLength(result.body as string)));
    });
  }

  for (const file of RESPONSE_SAMPLES) {
    test(`${file} is a result, not an event: 400 with the reason`, async () => {
      const logs: string[] = [];
      const result = (await handle(echoApp, { log: (l) => logs.push(l) })(
        loadEvent(file) as never,
        CONTEXT,
      )) as Record<string, unknown>;
      assert.equal(result.statusCode, 400);
      assert.match(result.body as string, /ERR_LAMBDA_EVENT_INVALID/);
      assert.match(logs.join('\n'), /\[test-request-id\] ERR_LAMBDA_EVENT_INVALID/);
    });
  }
});
