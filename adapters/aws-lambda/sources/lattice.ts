/**
 * VPC Lattice Lambda targets, payloads 2.0 (camelCase) and 1.0 (snake_case). Header and query
 * values may be arrays; query values arrive decoded; a query may also ride in the path. Results
 * take the single-value ALB shape.
 */
import type { RequestParts } from '../request.js';
import { encodedPathToLatin1, encodeQueryMap, rawPathToUri } from '../text.js';
import { singleValueResult } from './alb.js';
import { absolutePath, method, optionalBody, optionalMap, requiredString } from './fields.js';
import type { Processor } from './processor.js';

function request(
  event: Record<string, unknown>,
  keys: { path: string; query: string; base64: string },
): RequestParts {
  const target = absolutePath(requiredString(event, keys.path), keys.path);
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? encodeQueryMap(optionalMap(event, keys.query)) : target.slice(q + 1);
  return {
    method: method(requiredString(event, 'method'), 'method'),
    path: encodedPathToLatin1(rawPath),
    rawPath: rawPathToUri(rawPath),
    query,
    headers: optionalMap(event, 'headers'),
    cookies: undefined,
    body: optionalBody(event),
    isBase64Encoded: event[keys.base64] === true,
    remoteAddr: undefined, // from X-Forwarded-For
    domainName: undefined,
    protocol: undefined,
    stagePrefix: undefined,
    stageInPath: false,
    requestId: undefined,
  };
}

const V2 = { path: 'path', query: 'queryStringParameters', base64: 'isBase64Encoded' };
const V1 = { path: 'raw_path', query: 'query_string_parameters', base64: 'is_base64_encoded' };

export const latticeV2Processor: Processor = {
  source: 'lattice-v2',
  request: (event) => request(event, V2),
  result: singleValueResult,
};

export const latticeV1Processor: Processor = {
  source: 'lattice-v1',
  request: (event) => request(event, V1),
  result: singleValueResult,
};
