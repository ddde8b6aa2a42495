/**
 * Every way a platform's environ or response differs from toFetch's for the same request, with
 * the reason. The conformance test fails on a difference not listed here, and on an entry that no
 * longer happens. docs/reliability.md shows this table.
 */
import type { Difference } from './conformance.test.js';

export interface KnownDifference {
  /** Which targets (by name). */
  targets: RegExp;
  /** Which CGI key or `response …` item. */
  key: RegExp;
  /** Narrows to some values. */
  when?: (d: Difference) => boolean;
  reason: string;
}

const absentInReference = (d: Difference) => d.reference === undefined;

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  // What the platforms know and an in-process Fetch Request does not.
  {
    targets: /^(lambda|gateway)/,
    key: /^CONTENT_LENGTH$/,
    when: absentInReference,
    reason:
      'A Request built in-process has no Content-Length header (fetch adds it only when sending), so toFetch cannot set CONTENT_LENGTH; on the wire every platform that knows the length sets it. wsgi.input is the same bytes everywhere.',
  },
  {
    targets: /^(gateway .*|lambda (rest-v1|http-v2|function-url)|workerd)$/,
    key: /^REMOTE_ADDR$/,
    when: absentInReference,
    reason:
      'The client address: nginx REMOTE_ADDR, the socket peer, requestContext sourceIp, or CF-Connecting-IP in workerd. An in-process Request has none, and ALB events carry only X-Forwarded-For.',
  },
  {
    targets: /^gateway/,
    key: /^REMOTE_PORT$/,
    reason: 'The client port, which nginx (uwsgi_params) and the HTTP socket know.',
  },
  {
    targets: /^gateway/,
    key: /^SERVER_PORT$/,
    reason:
      'The port the request arrived on (nginx listen port, or the HTTP socket port); toFetch takes the URL port (80 for http://).',
  },
  {
    targets: /^gateway behind nginx$/,
    key: /^(DOCUMENT_ROOT|REQUEST_SCHEME)$/,
    reason: 'Extra CGI vars from nginx uwsgi_params, passed through as nginx sends them.',
  },
  {
    targets: /^gateway behind nginx$/,
    key: /^SERVER_NAME$/,
    reason:
      'nginx sends $server_name (the server block name), not the Host header; HTTP_HOST is the same everywhere and is what URL reconstruction uses first (PEP 3333).',
  },
  {
    targets: /^(gateway|workerd)/,
    key: /^HTTP_CONNECTION$/,
    reason:
      'The client sent Connection: close and the transport passes it on as HTTP_CONNECTION; a Fetch Request cannot carry Connection (a forbidden header), so toFetch never sees it.',
  },
  // Lambda event sources.
  {
    targets: /^lambda/,
    key: /^(HTTPS|SERVER_PORT|wsgi\.url_scheme)$/,
    reason:
      'API Gateway, Function URLs and ALB HTTPS listeners are HTTPS: with no X-Forwarded-Proto in the event the adapter assumes https and port 443.',
  },
  {
    targets: /^lambda (rest-v1|alb-multi)$/,
    key: /^(QUERY_STRING|REQUEST_URI)$/,
    reason:
      'REST v1 and ALB multi-value events carry the query as a map of name → values: the adapter rebuilds it grouped by name, so interleaved repeats change order (x=1&y=2&x=3 → x=1&x=3&y=2).',
  },
  {
    targets: /^lambda alb$/,
    key: /^(QUERY_STRING|REQUEST_URI|HTTP_X_MULTI)$/,
    reason:
      'ALB single-value mode keeps only the last value of a repeated query parameter or header (enable multi-value headers on the target group).',
  },
  // Test-harness artifacts of Miniflare's dispatchFetch (not of workerd or the adapter).
  {
    targets: /^workerd$/,
    key: /^HTTP_(ACCEPT|ACCEPT_ENCODING|ACCEPT_LANGUAGE|SEC_FETCH_MODE)$/,
    reason:
      "Harness: Miniflare's dispatchFetch sends the request with Node's fetch(), which adds Accept, Accept-Encoding, Accept-Language and Sec-Fetch-Mode.",
  },
  {
    targets: /^workerd$/,
    key: /^HTTP_HOST$/,
    reason:
      "Harness: dispatchFetch connects to Miniflare's loopback port and sends that as Host (the URL keeps the original host); on Cloudflare Host is the client's.",
  },
  {
    targets: /^workerd$/,
    key: /^HTTP_TRANSFER_ENCODING$/,
    reason:
      'Harness: dispatchFetch streams a request body to workerd chunked, without Content-Length; wsgi.input still reads the same bytes.',
  },
  {
    targets: /^workerd$/,
    key: /^HTTP_CF_CONNECTING_IP$/,
    reason: 'workerd adds CF-Connecting-IP (the Workers adapter also maps it to REMOTE_ADDR).',
  },
];
