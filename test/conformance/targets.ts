/**
 * Every platform the conformance app runs on, behind one function: request in, what the client
 * observed out (status, the app's response headers, body bytes, and the CGI keys the app saw).
 */
import { request as httpRequest } from 'node:http';
import { handle } from '../../adapters/aws-lambda/index.js';
import { toFetch } from '../../src/index.js';
import app from './app.js';
import {
  allHeaders,
  type CanonicalRequest,
  fetchRequest,
  type LambdaSource,
  lambdaEvent,
} from './requests.js';

export interface Observed {
  status: number;
  /** The app's headers as the client got them: lower-case names, values in order. */
  contentType: string[];
  xDup: string[];
  setCookie: string[];
  body: Buffer;
  /** The CGI keys the app saw (absent for HEAD and /bytes). */
  cgi?: Record<string, string>;
  /** What the app read from wsgi.input (base64). */
  input?: string;
}

export type Target = (r: CanonicalRequest) => Promise<Observed>;

function observe(status: number, headers: Array<[string, string]>, body: Buffer): Observed {
  const values = (name: string) =>
    headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  const observed: Observed = {
    status,
    contentType: values('content-type'),
    // Some platforms join a repeated header into one line: compare the values, split.
    xDup: values('x-dup').flatMap((v) => v.split(/,\s*/)),
    setCookie: values('set-cookie'),
    body,
  };
  if (values('content-type')[0] === 'application/json' && body.length > 0) {
    const parsed = JSON.parse(body.toString()) as { cgi: Record<string, string>; body: string };
    observed.cgi = parsed.cgi;
    observed.input = parsed.body;
  }
  return observed;
}

async function fromResponse(response: Response): Promise<Observed> {
  const headers: Array<[string, string]> = [];
  response.headers.forEach((v, n) => {
    if (n !== 'set-cookie') headers.push([n, v]);
  });
  for (const c of response.headers.getSetCookie()) headers.push(['set-cookie', c]);
  return observe(response.status, headers, Buffer.from(await response.arrayBuffer()));
}

export const toFetchTarget: Target = async (r) => fromResponse(await toFetch(app)(fetchRequest(r)));

/** Runs in workerd through Miniflare's dispatchFetch. */
export function workerdTarget(dispatch: (request: Request) => Promise<Response>): Target {
  return async (r) => fromResponse(await dispatch(fetchRequest(r)));
}

const lambda = handle(app);

export function lambdaTarget(source: LambdaSource): Target {
  return async (r) => {
    const result = (await lambda(lambdaEvent(r, source) as never)) as {
      statusCode: number;
      headers?: Record<string, string>;
      multiValueHeaders?: Record<string, string[]>;
      cookies?: string[];
      body?: string;
      isBase64Encoded?: boolean;
    };
    const headers: Array<[string, string]> = [];
    for (const [n, v] of Object.entries(result.headers ?? {})) headers.push([n, v]);
    for (const [n, vs] of Object.entries(result.multiValueHeaders ?? {})) {
      for (const v of vs) headers.push([n, v]);
    }
    for (const c of result.cookies ?? []) headers.push(['set-cookie', c]);
    const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
    return observe(result.statusCode, headers, body);
  };
}

/** Raw HTTP/1.1 to a port: nginx in front of the gateway, or the gateway's HTTP socket. */
export function httpTarget(port: number): Target {
  return (r) =>
    new Promise((resolve, reject) => {
      const flat: string[] = [];
      for (const [n, v] of allHeaders(r)) flat.push(n, v);
      if (r.body) flat.push('Content-Length', String(r.body.length));
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: r.method,
        path: `${r.path}${r.query ? `?${r.query}` : ''}`,
        headers: flat as unknown as Record<string, string>,
        agent: false,
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers: Array<[string, string]> = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            headers.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
          }
          resolve(observe(res.statusCode ?? 0, headers, Buffer.concat(parts)));
        });
      });
      req.end(r.body);
    });
}
