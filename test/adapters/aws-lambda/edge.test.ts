/**
 * Lambda@Edge request triggers through handle(): AWS's published sample events (fixtures/edge/,
 * sources in SOURCES.md) reach the app as the right environ, and the app's answer leaves in the
 * shape CloudFront accepts from a request trigger (or as the request, forwarded to the origin).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { CloudFrontRequest } from 'aws-lambda';
import type { App, Environ } from 'tsgi';
import { latin1ToUtf8 } from 'tsgi';
import { forwardToOrigin, handle, type LambdaHttpEvent } from 'tsgi/aws-lambda';
import { CONTEXT, type Echo, echoApp } from './fixtures.js';

/** The request as a test changes it (the published type marks method and body read-only). */
type MutableRequest = { -readonly [K in keyof CloudFrontRequest]: CloudFrontRequest[K] } & {
  body?: { action: string; data: string; encoding: string; inputTruncated: boolean };
};
type Event = {
  Records: Array<{ cf: { config: Record<string, string>; request: MutableRequest } }>;
};
type Generated = {
  status: string;
  statusDescription: string;
  headers: Record<string, Array<{ key: string; value: string }>>;
  body: string;
  bodyEncoding: 'text' | 'base64';
};

function sample(file: string, eventType?: string): Event {
  const url = new URL(`./fixtures/edge/${file}`, import.meta.url);
  const event = JSON.parse(readFileSync(url, 'utf8')) as Event;
  if (eventType) event.Records[0]!.cf.config.eventType = eventType;
  return event;
}

function cfRequest(event: Event): MutableRequest {
  return event.Records[0]!.cf.request;
}

async function call(app: App, event: Event, logs: string[] = []): Promise<Generated> {
  const handler = handle(app, { log: (l) => logs.push(l) });
  return (await handler(event as unknown as LambdaHttpEvent, CONTEXT)) as unknown as Generated;
}

async function echo(event: Event): Promise<Echo> {
  const out = await call(echoApp, event);
  assert.equal(out.status, '200', out.body);
  return JSON.parse(out.body) as Echo;
}

const respond =
  (headers: [string, string][], body: string | Uint8Array = 'ok', status = '200 OK'): App =>
  (_environ, startResponse) => {
    startResponse(status, headers);
    return [body];
  };

describe('aws-lambda: Lambda@Edge request triggers', () => {
  it("AWS's viewer request sample: method, path, host, lower-case header key, client IP", async () => {
    const { cgi, scheme } = await echo(sample('docs-viewer-request.json'));
    assert.equal(cgi.REQUEST_METHOD, 'GET');
    assert.equal(cgi.PATH_INFO, '/');
    assert.equal(cgi.SCRIPT_NAME, '');
    assert.equal(cgi.QUERY_STRING, '');
    assert.equal(cgi.REQUEST_URI, '/');
    assert.equal(cgi.HTTP_HOST, 'd111111abcdef8.cloudfront.net');
    assert.equal(cgi.SERVER_NAME, 'd111111abcdef8.cloudfront.net');
    assert.equal(cgi.HTTP_ACCEPT, '*/*');
    assert.equal(cgi.HTTP_USER_AGENT, 'curl/7.66.0');
    assert.equal(cgi.REMOTE_ADDR, '203.0.113.178');
    assert.equal(scheme, 'https');
  });

  it('a base64 body and an IPv6 clientIp (aws-lambda-go sample)', async () => {
    const { cgi, body } = await echo(sample('viewer-request-body-ipv6.json'));
    assert.equal(cgi.REMOTE_ADDR, '2001:0db8:85a3:0:0:8a2e:0370:7334');
    assert.equal(cgi.PATH_INFO, '/picture.jpg');
    assert.equal(cgi.QUERY_STRING, 'size=large');
    assert.equal(
      body,
      '{"username":"LambdaEdge","comment":"This is request body"}'.replace(
        'LambdaEdge',
        'Lambda@Edge',
      ),
    );
    assert.equal(cgi.CONTENT_LENGTH, String(body.length));
  });

  it('a text body, and PATH_INFO is the percent-decoded uri (REQUEST_URI keeps it encoded)', async () => {
    const event = sample('docs-viewer-request.json');
    const request = cfRequest(event);
    request.uri = '/caf%C3%A9/a%20b%2Fc';
    request.querystring = 'q=%C3%A9&x=1';
    request.method = 'POST';
    request.body = { action: 'read-only', data: 'héllo', encoding: 'text', inputTruncated: false };
    const { cgi, body } = await echo(event);
    assert.equal(latin1ToUtf8(cgi.PATH_INFO!), '/café/a b/c');
    assert.equal(cgi.REQUEST_URI, '/caf%C3%A9/a%20b%2Fc?q=%C3%A9&x=1');
    assert.equal(cgi.QUERY_STRING, 'q=%C3%A9&x=1');
    assert.equal(latin1ToUtf8(body), 'héllo');
  });

  it("the result: status as a string, headers as lists under lower-case names with the app's spelling, cookies apart", async () => {
    const out = await call(
      respond(
        [
          ['Content-Type', 'text/plain; charset=utf-8'],
          ['cache-CONTROL', 'max-age=60'],
          ['X-Multi', 'a'],
          ['x-multi', 'b'],
          ['Set-Cookie', 'a=1; Path=/'],
          ['set-cookie', 'b=2, with a comma; HttpOnly'],
        ],
        'hello',
        '201 Made',
      ),
      sample('docs-viewer-request.json'),
    );
    assert.deepEqual(out, {
      status: '201',
      statusDescription: 'Made',
      headers: {
        'content-type': [{ key: 'Content-Type', value: 'text/plain; charset=utf-8' }],
        'cache-control': [{ key: 'cache-CONTROL', value: 'max-age=60' }],
        'x-multi': [
          { key: 'X-Multi', value: 'a' },
          { key: 'x-multi', value: 'b' },
        ],
        'set-cookie': [
          { key: 'Set-Cookie', value: 'a=1; Path=/' },
          { key: 'set-cookie', value: 'b=2, with a comma; HttpOnly' },
        ],
      },
      body: 'hello',
      bodyEncoding: 'text',
    });
  });

  it('a binary body leaves as base64; headers CloudFront refuses are dropped and logged', async () => {
    const logs: string[] = [];
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const out = await call(
      respond(
        [
          ['Content-Type', 'application/octet-stream'],
          ['Via', '1.1 app'],
          ['X-Cache', 'Hit'],
          ['X-Amz-Cf-Pop', 'x'],
          ['Content-Length', '4'],
        ],
        bytes,
      ),
      sample('docs-viewer-request.json'),
      logs,
    );
    assert.equal(out.bodyEncoding, 'base64');
    assert.deepEqual(Buffer.from(out.body, 'base64'), Buffer.from(bytes));
    assert.deepEqual(Object.keys(out.headers), ['content-type']);
    assert.match(logs.join('\n'), /ERR_LAMBDA_EDGE_HEADER_REFUSED.*via, x-cache, x-amz-cf-pop/);
  });

  it('size limits: 40 KB for a viewer-request trigger, 1 MB for an origin-request trigger', async () => {
    const big = respond([['Content-Type', 'text/plain']], 'x'.repeat(41 * 1024));
    const logs: string[] = [];
    const viewer = await call(big, sample('docs-viewer-request.json'), logs);
    assert.equal(viewer.status, '500');
    assert.equal(typeof viewer.body, 'string');
    assert.ok(viewer.body.length < 1024);
    assert.match(
      logs.join('\n'),
      /ERR_LAMBDA_EDGE_RESPONSE_TOO_LARGE.*viewer-request trigger, whose limit is 40960/,
    );
    const origin = await call(big, sample('docs-request-event-origin.json', 'origin-request'));
    assert.equal(origin.status, '200');
    assert.equal(origin.body.length, 41 * 1024);
    // The limit is in bytes: 14 000 three-byte characters are 42 000 bytes, over 40 KB.
    const wide = await call(
      respond([['Content-Type', 'text/plain; charset=utf-8']], '€'.repeat(14_000)),
      sample('docs-viewer-request.json'),
    );
    assert.equal(wide.status, '500');
    const tooBig = await call(
      respond([['Content-Type', 'text/plain']], 'x'.repeat(1024 * 1024)),
      sample('docs-request-event-origin.json', 'origin-request'),
    );
    assert.equal(tooBig.status, '500');
  });

  it('forwardToOrigin hands back the request, changed by the app, with its origin object intact', async () => {
    const event = sample('docs-request-event-origin.json', 'origin-request');
    const original = structuredClone(cfRequest(event));
    const app: App = (environ: Environ, startResponse) => {
      const request = environ['aws.edge.request'] as CloudFrontRequest;
      request.uri = '/other.jpg';
      request.headers['x-variant'] = [{ key: 'X-Variant', value: 'b' }];
      return forwardToOrigin(environ, startResponse, request);
    };
    const out = (await call(app, event)) as unknown as CloudFrontRequest;
    assert.deepEqual(out, {
      ...original,
      uri: '/other.jpg',
      headers: { ...original.headers, 'x-variant': [{ key: 'X-Variant', value: 'b' }] },
    });
    // The event itself is untouched (the app changed a copy).
    assert.deepEqual(cfRequest(event), original);
    // Without changes: the request as it came.
    const same = await call(
      (env, sr) => forwardToOrigin(env, sr),
      sample('docs-viewer-request.json'),
    );
    assert.deepEqual(same, cfRequest(sample('docs-viewer-request.json')));
  });

  it('a forwarded request CloudFront would reject is a coded 500, not a broken distribution', async () => {
    const logs: string[] = [];
    const app: App = (environ, startResponse) => {
      const request = environ['aws.edge.request'] as CloudFrontRequest;
      request.uri = 'no-slash';
      return forwardToOrigin(environ, startResponse, request);
    };
    const out = await call(app, sample('docs-viewer-request.json'), logs);
    assert.equal(out.status, '500');
    assert.match(
      logs.join('\n'),
      /ERR_LAMBDA_EDGE_FORWARD_INVALID.*uri must be a string starting with \//,
    );
  });

  it('forwardToOrigin outside Lambda@Edge fails the request with its code', async () => {
    const logs: string[] = [];
    const handler = handle((env, sr) => forwardToOrigin(env, sr), { log: (l) => logs.push(l) });
    const event = {
      version: '2.0',
      rawPath: '/',
      rawQueryString: '',
      headers: { host: 'x.example' },
      requestContext: { http: { method: 'GET', path: '/' }, domainName: 'x.example' },
    };
    const out = (await handler(event as unknown as LambdaHttpEvent, CONTEXT)) as {
      statusCode: number;
    };
    assert.equal(out.statusCode, 500);
    assert.match(logs.join('\n'), /ERR_LAMBDA_EDGE_FORWARD_INVALID/);
  });

  it('inputTruncated: reading the whole body fails with 413 instead of passing a partial upload', async () => {
    const event = sample('viewer-request-body-ipv6.json');
    const request = cfRequest(event);
    request.method = 'POST';
    request.body!.inputTruncated = true;
    request.headers['content-length'] = [{ key: 'Content-Length', value: '99999' }];
    const logs: string[] = [];
    const out = await call(echoApp, event, logs);
    assert.equal(out.status, '413', out.body);
    // An app that does not read the body still works (headers-only routing).
    const ok = await call(respond([['Content-Type', 'text/plain']]), event);
    assert.equal(ok.status, '200');
  });

  it('a response trigger event is refused with a coded 501 in the same shape', async () => {
    const logs: string[] = [];
    const out = await call(echoApp, sample('docs-viewer-response.json'), logs);
    assert.equal(out.status, '501');
    assert.equal(out.bodyEncoding, 'text');
    assert.match(logs.join('\n'), /ERR_LAMBDA_EDGE_RESPONSE_TRIGGER.*eventType viewer-response/);
  });

  it('malformed request fields are a 400 in CloudFront shape', async () => {
    const cases: Array<[string, (r: Record<string, unknown>) => void]> = [
      [
        'headers.host must be a list',
        (r) => {
          (r.headers as Record<string, unknown>).host = 'x';
        },
      ],
      [
        'uri must start with /',
        (r) => {
          r.uri = 'x';
        },
      ],
      [
        'not an HTTP method token',
        (r) => {
          r.method = 'GE T';
        },
      ],
      [
        'encoding must be',
        (r) => {
          r.body = { data: 'x', encoding: 'gzip' };
        },
      ],
    ];
    for (const [message, spoil] of cases) {
      const event = sample('docs-viewer-request.json');
      spoil(cfRequest(event) as unknown as Record<string, unknown>);
      const out = await call(echoApp, event);
      assert.equal(out.status, '400', message);
      assert.ok(out.body.includes(message), `${message}: ${out.body}`);
    }
  });
});
