/**
 * The conformance suite's requests, in one canonical form, and what each platform receives for
 * them: a Fetch Request (toFetch, workerd), Lambda events (REST v1, HTTP API v2, ALB single- and
 * multi-value, Function URL) built the way each source delivers the same request, and raw
 * HTTP/1.1 (nginx, the gateway's HTTP socket).
 */

export interface CanonicalRequest {
  name: string;
  method: string;
  /** The path as sent on the wire (percent-encoded). */
  path: string;
  /** The raw query string (after `?`), '' for none. */
  query: string;
  /** Header lines as a client sends them, duplicates kept. Host is added by every target. */
  headers: Array<[string, string]>;
  body?: Uint8Array;
}

export const HOST = 'conformance.test';
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

export const REQUESTS: CanonicalRequest[] = [
  { name: 'GET /', method: 'GET', path: '/', query: '', headers: [] },
  { name: 'GET with a query', method: 'GET', path: '/a/b', query: 'x=1&y=2&x=3', headers: [] },
  {
    name: 'GET with percent-encoded and UTF-8 path and query',
    method: 'GET',
    path: '/caf%C3%A9/a%20b',
    query: 'q=a%20b&e=%C3%A9',
    headers: [],
  },
  {
    name: 'POST text',
    method: 'POST',
    path: '/form',
    query: '',
    headers: [['Content-Type', 'text/plain; charset=utf-8']],
    body: new TextEncoder().encode('hello=world&caf\u00e9=1'),
  },
  {
    name: 'POST binary',
    method: 'POST',
    path: '/upload',
    query: '',
    headers: [['Content-Type', 'application/octet-stream']],
    body: ALL_BYTES,
  },
  {
    name: 'repeated headers and a cookie',
    method: 'GET',
    path: '/h',
    query: '',
    headers: [
      ['X-Multi', '1'],
      ['X-Multi', '2'],
      ['Cookie', 'a=1; b=2'],
      ['Accept', '*/*'],
    ],
  },
  { name: 'HEAD', method: 'HEAD', path: '/h', query: '', headers: [] },
  { name: 'binary response', method: 'GET', path: '/bytes', query: '', headers: [] },
];

export function allHeaders(r: CanonicalRequest): Array<[string, string]> {
  return [['Host', HOST], ['User-Agent', 'tsgi-conformance'], ...r.headers];
}

export function fetchRequest(r: CanonicalRequest, origin = `http://${HOST}`): Request {
  const url = `${origin}${r.path}${r.query ? `?${r.query}` : ''}`;
  return new Request(url, {
    method: r.method,
    headers: allHeaders(r),
    ...(r.body ? { body: r.body } : {}),
  });
}

function lowerGroups(r: CanonicalRequest): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [n, v] of allHeaders(r)) {
    const k = n.toLowerCase();
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

function queryPairs(query: string, decode: boolean): Array<[string, string]> {
  if (!query) return [];
  const dec = (s: string) => (decode ? decodeURIComponent(s.replace(/\+/g, ' ')) : s);
  return query.split('&').map((p) => {
    const i = p.indexOf('=');
    return i === -1 ? [dec(p), ''] : [dec(p.slice(0, i)), dec(p.slice(i + 1))];
  });
}

function multiMap(pairs: Array<[string, string]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of pairs) out[k] = [...(out[k] ?? []), v];
  return out;
}

function lastMap(multi: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1]!]));
}

function bodyFields(r: CanonicalRequest, textAllowed: boolean) {
  if (!r.body) return { body: null, isBase64Encoded: false };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(r.body);
  const isText = textAllowed && !r.headers.some(([, v]) => v === 'application/octet-stream');
  return isText
    ? { body: text, isBase64Encoded: false }
    : { body: Buffer.from(r.body).toString('base64'), isBase64Encoded: true };
}

export type LambdaSource = 'rest-v1' | 'http-v2' | 'alb' | 'alb-multi' | 'function-url';
export const LAMBDA_SOURCES: LambdaSource[] = [
  'rest-v1',
  'http-v2',
  'alb',
  'alb-multi',
  'function-url',
];

/**
 * The event each source would deliver. Per AWS: HTTP API v2 decodes rawPath, REST, ALB and
 * Function URLs do not; REST decodes query parameters, ALB does not; v2 joins repeated headers
 * with commas and moves Cookie to cookies[].
 */
export function lambdaEvent(r: CanonicalRequest, source: LambdaSource): Record<string, unknown> {
  const groups = lowerGroups(r);
  const joined = Object.fromEntries([...groups].map(([k, v]) => [k, v.join(', ')]));
  const last = Object.fromEntries([...groups].map(([k, v]) => [k, v[v.length - 1]!]));
  const multiHeaders = Object.fromEntries(groups);
  const body = bodyFields(r, true);
  switch (source) {
    case 'rest-v1': {
      const q = multiMap(queryPairs(r.query, true));
      return {
        resource: '/{proxy+}',
        path: r.path,
        httpMethod: r.method,
        headers: last,
        multiValueHeaders: multiHeaders,
        queryStringParameters: r.query ? lastMap(q) : null,
        multiValueQueryStringParameters: r.query ? q : null,
        ...body,
        requestContext: {
          stage: 'prod',
          path: `/prod${r.path}`,
          domainName: HOST,
          protocol: 'HTTP/1.1',
          httpMethod: r.method,
          identity: { sourceIp: '127.0.0.1' },
          requestId: 'conformance-rest',
        },
      };
    }
    case 'http-v2':
    case 'function-url': {
      const { cookie, ...headers } = joined;
      const domain = source === 'function-url' ? 'abc123.lambda-url.us-east-1.on.aws' : HOST;
      return {
        version: '2.0',
        routeKey: '$default',
        rawPath: source === 'http-v2' ? decodeURIComponent(r.path) : r.path,
        rawQueryString: r.query,
        ...(cookie ? { cookies: cookie.split('; ') } : {}),
        headers,
        requestContext: {
          domainName: domain,
          stage: '$default',
          http: {
            method: r.method,
            path: decodeURIComponent(r.path),
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
          },
          requestId: `conformance-${source}`,
        },
        ...(body.body === null ? {} : body),
        isBase64Encoded: body.isBase64Encoded,
      };
    }
    case 'alb': {
      return {
        requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:tg' } },
        httpMethod: r.method,
        path: r.path,
        queryStringParameters: lastMap(multiMap(queryPairs(r.query, false))),
        headers: last,
        body: body.body ?? '',
        isBase64Encoded: body.isBase64Encoded,
      };
    }
    case 'alb-multi': {
      return {
        requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:tg' } },
        httpMethod: r.method,
        path: r.path,
        multiValueQueryStringParameters: multiMap(queryPairs(r.query, false)),
        multiValueHeaders: multiHeaders,
        body: body.body ?? '',
        isBase64Encoded: body.isBase64Encoded,
      };
    }
  }
}
