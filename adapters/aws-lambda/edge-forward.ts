/**
 * forwardToOrigin: what a Lambda@Edge request trigger is mostly for. The app, instead of answering,
 * hands CloudFront the request to send on (to the cache and the origin), changed or not:
 *
 *   const app: App = (environ, startResponse) => {
 *     const request = environ['aws.edge.request'] as CloudFrontRequest;
 *     request.headers['x-variant'] = [{ key: 'X-Variant', value: 'b' }];
 *     return forwardToOrigin(environ, startResponse, request);
 *   };
 */

import type { Environ, StartResponse } from '../../src/index.js';
import { lambdaError } from './errors.js';
import type { CloudFrontRequest } from './event-types.js';
import { EDGE_FORWARD_KEY, EDGE_REQUEST_KEY } from './sources/edge.js';
import { isObject } from './text.js';

/**
 * Marks the request as forwarded: `handle` returns `request` (default: environ['aws.edge.request'],
 * with any changes the app made to it) to CloudFront instead of a response. Returns the empty body
 * the app returns in turn. Throws ERR_LAMBDA_EDGE_FORWARD_INVALID outside a request trigger.
 */
export function forwardToOrigin(
  environ: Environ,
  startResponse: StartResponse,
  request: CloudFrontRequest | undefined = environ[EDGE_REQUEST_KEY] as CloudFrontRequest,
): Uint8Array[] {
  if (!isObject(environ[EDGE_REQUEST_KEY])) {
    throw lambdaError(
      'ERR_LAMBDA_EDGE_FORWARD_INVALID',
      'this is not a Lambda@Edge request trigger',
    );
  }
  (environ as Record<string, unknown>)[EDGE_FORWARD_KEY] = request;
  // PEP 3333 wants a status before the body; handle discards this one.
  startResponse('200 OK', []);
  return [];
}

/** The request to return to CloudFront, checked for the fields it needs; undefined if not forwarded. */
export function forwardedRequest(environ: Environ): object | undefined {
  const request = (environ as Record<string, unknown>)[EDGE_FORWARD_KEY];
  if (request === undefined) return undefined;
  const problem = !isObject(request)
    ? 'the request is not an object'
    : typeof request.uri !== 'string' || !request.uri.startsWith('/')
      ? 'uri must be a string starting with /'
      : typeof request.method !== 'string'
        ? 'method must be a string'
        : !validHeaders(request.headers)
          ? 'headers must map lower-cased names to { key, value } lists'
          : undefined;
  if (problem) throw lambdaError('ERR_LAMBDA_EDGE_FORWARD_INVALID', problem);
  return request as object;
}

function validHeaders(headers: unknown): boolean {
  if (!isObject(headers) || Array.isArray(headers)) return false;
  for (const name in headers) {
    const list = headers[name];
    if (name !== name.toLowerCase() || !Array.isArray(list)) return false;
    for (const entry of list) {
      if (!isObject(entry) || typeof entry.value !== 'string') return false;
      if (entry.key !== undefined && typeof entry.key !== 'string') return false;
    }
  }
  return true;
}
