/**
 * The environ handle() builds straight from an event equals the one toFetch builds from a Fetch
 * Request for the same HTTP request (same CGI keys and values). The Request is rebuilt from each
 * sample here, independently of the adapter's code.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Environ } from 'tsgi';
import { toFetch } from 'tsgi';
import { detectSource, handle } from 'tsgi/aws-lambda';
import { CONTEXT, eventFiles, loadEvent, RESPONSE_SAMPLES } from './fixtures.js';

/** Samples Fetch cannot express at all: the host is a placeholder that is not a valid URL host. */
const NOT_A_URL = ['function-url-iam-auth.json'];

type Map = Record<string, string | string[] | null | undefined> | null | undefined;

function lookup(map: Map, name: string): string | undefined {
  for (const [k, v] of Object.entries(map ?? {})) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : (v ?? undefined);
  }
  return undefined;
}

/** The URL, method, headers and body a client sent, read from the event by hand. */
function requestFor(event: Record<string, unknown>): Request {
  const source = detectSource(event)!;
  const rc = (event.requestContext ?? {}) as Record<string, unknown>;
  const mv = event.multiValueHeaders as Map;
  const single = event.headers as Map;
  const headerMap =
    source === 'rest' || source === 'http-v1' || source === 'alb-multi' ? (mv ?? single) : single;

  const proto = lookup(headerMap, 'x-forwarded-proto') === 'http' ? 'http' : 'https';
  let host = lookup(headerMap, 'host') ?? (rc.domainName as string | undefined) ?? 'localhost';
  const fwdPort = lookup(headerMap, 'x-forwarded-port');
  if (!host.includes(':') && fwdPort) host += `:${fwdPort}`;

  let path: string;
  let query = '';
  const decodedPath = source === 'http-v2' || source === 'http-v1';
  if (source === 'http-v2' || source === 'function-url') {
    path = event.rawPath as string;
    query = event.rawQueryString as string;
  } else if (source === 'lattice-v1') {
    path = event.raw_path as string;
  } else {
    path = event.path as string;
  }
  if (decodedPath) path = encodeURI(path);
  const qmap = (event.multiValueQueryStringParameters ??
    event.queryStringParameters ??
    event.query_string_parameters) as Map;
  if (source !== 'http-v2' && source !== 'function-url' && qmap) {
    const raw = source === 'alb' || source === 'alb-multi';
    const enc = (s: string) => (raw ? s : encodeURIComponent(s));
    query = Object.entries(qmap)
      .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${enc(k)}=${enc(String(x))}`))
      .join('&');
  }

  const headers = new Headers();
  for (const [k, v] of Object.entries(headerMap ?? {})) {
    if (v === null || v === undefined || k.toLowerCase() === 'content-length') continue;
    const values = Array.isArray(v) ? v : [v];
    // A client sends one Cookie header with '; ' between pairs.
    if (k.toLowerCase() === 'cookie') headers.set('cookie', values.join('; '));
    else for (const x of values) headers.append(k, x);
  }
  const cookies = event.cookies as string[] | undefined;
  if (cookies && cookies.length > 0) headers.set('cookie', cookies.join('; '));

  const method = (event.httpMethod ??
    event.method ??
    (rc.http as { method: string }).method) as string;
  const raw = event.body as string | null | undefined;
  const b64 = event.isBase64Encoded === true || event.is_base64_encoded === true;
  const body = raw ? Buffer.from(raw, b64 ? 'base64' : 'utf8') : undefined;
  if (body) headers.set('content-length', String(body.length));
  else if (lookup(headerMap, 'content-length') !== undefined) headers.set('content-length', '0');
  return new Request(`${proto}://${host}${path}${query ? `?${query}` : ''}`, {
    method,
    headers,
    ...(body ? { body } : {}),
  });
}

function cgiOf(environ: Environ): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(environ)) {
    if (!k.includes('.') && k !== 'REMOTE_ADDR') out[k] = v;
  }
  out['wsgi.url_scheme'] = environ['wsgi.url_scheme'];
  return out;
}

async function capture(
  run: (app: (e: Environ, s: never) => unknown) => Promise<unknown>,
): Promise<Environ> {
  let seen: Environ | undefined;
  await run((environ, startResponse: (s: string, h: [string, string][]) => void) => {
    seen = environ;
    startResponse('204 No Content', []);
    return [];
  });
  assert.ok(seen, 'the app was called');
  return seen;
}

describe('aws-lambda: environ from the event equals toFetch’s environ for the same request', () => {
  const files = eventFiles().filter((f) => !RESPONSE_SAMPLES.includes(f) && !NOT_A_URL.includes(f));

  for (const file of files) {
    test(file, async () => {
      const event = loadEvent(file);
      const method = (event.httpMethod ??
        event.method ??
        (event.requestContext as { http?: { method: string } })?.http?.method) as string;
      // Fetch refuses GET/HEAD bodies; compare those requests without their body on both sides.
      if ((method === 'GET' || method === 'HEAD') && event.body) event.body = null;

      const fromEvent = await capture((app) => handle(app as never)(event as never, CONTEXT));
      const fromFetch = await capture((app) => toFetch(app as never)(requestFor(event)));
      assert.deepEqual(cgiOf(fromEvent), cgiOf(fromFetch));
    });
  }

  test('only the placeholder-host sample is left out', () => {
    assert.throws(
      () =>
        new URL(
          `https://${(loadEvent(NOT_A_URL[0]!).requestContext as { domainName: string }).domainName}/`,
        ),
    );
  });
});
