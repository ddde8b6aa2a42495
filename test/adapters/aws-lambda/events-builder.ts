/** Builds minimal events of each source for table-driven tests. */

export type Source = 'rest' | 'http-v2' | 'function-url' | 'alb' | 'alb-multi' | 'lattice-v2';

export interface EventSpec {
  method?: string;
  /** The path as the source delivers it (encoded or not, per source). */
  path?: string;
  /** Query as a raw string (v2) or a map (others). */
  query?: Record<string, string[]>;
  rawQuery?: string;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  base64?: boolean;
  stage?: string;
  /** REST: requestContext.path (the path with the stage or base path the gateway removed). */
  fullPath?: string;
}

function single(map: Record<string, string[]> | undefined): Record<string, string> | undefined {
  if (!map) return undefined;
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v[v.length - 1]!]));
}

function multi(map: Record<string, string> | undefined): Record<string, string[]> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, [v]]));
}

export function makeEvent(source: Source, spec: EventSpec = {}): Record<string, unknown> {
  const method = spec.method ?? 'GET';
  const path = spec.path ?? '/';
  const headers = spec.headers ?? { host: 'example.test' };
  const body = spec.body ?? null;
  const isBase64Encoded = spec.base64 === true;
  switch (source) {
    case 'rest':
      return {
        resource: '/{proxy+}',
        path,
        httpMethod: method,
        headers,
        multiValueHeaders: multi(headers),
        queryStringParameters: single(spec.query) ?? null,
        multiValueQueryStringParameters: spec.query ?? null,
        body,
        isBase64Encoded,
        requestContext: {
          resourceId: 'abc123',
          stage: spec.stage ?? 'test',
          path: spec.fullPath ?? path,
          domainName: 'api.example.test',
          protocol: 'HTTP/1.1',
          identity: { sourceIp: '203.0.113.9' },
          requestId: 'rest-req',
        },
      };
    case 'http-v2':
    case 'function-url': {
      const domain =
        source === 'function-url'
          ? 'abc.lambda-url.us-east-1.on.aws'
          : 'id.execute-api.us-east-1.amazonaws.com';
      return {
        version: '2.0',
        routeKey: '$default',
        rawPath: path,
        rawQueryString: spec.rawQuery ?? '',
        ...(spec.cookies ? { cookies: spec.cookies } : {}),
        headers: { host: domain, ...headers },
        requestContext: {
          domainName: domain,
          stage: spec.stage ?? '$default',
          http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9' },
          requestId: 'v2-req',
        },
        ...(body === null ? {} : { body }),
        isBase64Encoded,
      };
    }
    case 'alb':
      return {
        requestContext: { elb: { targetGroupArn: 'arn:tg' } },
        httpMethod: method,
        path,
        queryStringParameters: single(spec.query) ?? {},
        headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9', ...headers },
        body: body ?? '',
        isBase64Encoded,
      };
    case 'alb-multi':
      return {
        requestContext: { elb: { targetGroupArn: 'arn:tg' } },
        httpMethod: method,
        path,
        multiValueQueryStringParameters: spec.query ?? {},
        multiValueHeaders: multi({ 'x-forwarded-for': '198.51.100.1, 203.0.113.9', ...headers }),
        body: body ?? '',
        isBase64Encoded,
      };
    case 'lattice-v2':
      return {
        version: '2.0',
        path,
        method,
        headers: multi(headers),
        queryStringParameters: spec.query ?? {},
        body,
        isBase64Encoded,
        requestContext: { serviceArn: 'arn:svc', region: 'us-east-1' },
      };
  }
}
