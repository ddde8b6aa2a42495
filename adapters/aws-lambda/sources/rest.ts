/**
 * API Gateway REST APIs (payload 1.0) and HTTP APIs with payload format 1.0. Same shape; REST keeps
 * the path percent-encoded, HTTP APIs deliver it decoded. REST query values arrive decoded.
 */
import { percentEncodeLatin1Path } from '../../../src/index.js';
import type { RequestParts } from '../request.js';
import type { PreparedResult } from '../result.js';
import {
  encodedPathToLatin1,
  encodeQueryMap,
  isObject,
  rawPathToUri,
  textToLatin1,
} from '../text.js';
import type { EventSource } from '../types.js';
import {
  absolutePath,
  combinedMap,
  method,
  optionalBody,
  optionalString,
  requiredString,
} from './fields.js';
import type { Processor } from './processor.js';

function request(event: Record<string, unknown>, decodedPath: boolean): RequestParts {
  const rawPath = absolutePath(requiredString(event, 'path'), 'path');
  const rc = isObject(event.requestContext) ? event.requestContext : undefined;
  const path = decodedPath ? textToLatin1(rawPath) : encodedPathToLatin1(rawPath);
  const stage = optionalString(rc, 'stage');
  let stagePrefix: string | undefined;
  let stageInPath = false;
  if (decodedPath) {
    if (stage && stage !== '$default') {
      stagePrefix = `/${textToLatin1(stage)}`;
      stageInPath = true;
    }
  } else {
    // REST strips the stage (execute-api) or base path (custom domain); requestContext.path has it.
    const full = optionalString(rc, 'path');
    if (full && full.length > rawPath.length && full.endsWith(rawPath)) {
      stagePrefix = encodedPathToLatin1(full.slice(0, full.length - rawPath.length));
    }
  }
  return {
    method: method(requiredString(event, 'httpMethod'), 'httpMethod'),
    path,
    rawPath: decodedPath ? percentEncodeLatin1Path(path) : rawPathToUri(rawPath),
    query: encodeQueryMap(
      combinedMap(event, 'multiValueQueryStringParameters', 'queryStringParameters', false),
    ),
    headers: combinedMap(event, 'multiValueHeaders', 'headers', true),
    cookies: undefined,
    body: optionalBody(event),
    isBase64Encoded: event.isBase64Encoded === true,
    remoteAddr: optionalString(isObject(rc?.identity) ? rc.identity : undefined, 'sourceIp'),
    domainName: optionalString(rc, 'domainName'),
    protocol: optionalString(rc, 'protocol'),
    stagePrefix,
    stageInPath,
    requestId: optionalString(rc, 'requestId'),
  };
}

/** Repeated names (Set-Cookie included) go to multiValueHeaders, the rest to headers. */
function result(prepared: PreparedResult): object {
  const headers: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  let repeated = false;
  for (const [name, values] of prepared.headers) {
    if (values.length === 1) headers[name] = values[0]!;
    else {
      multi[name] = values;
      repeated = true;
    }
  }
  if (prepared.cookies.length === 1) headers['set-cookie'] = prepared.cookies[0]!;
  else if (prepared.cookies.length > 1) {
    multi['set-cookie'] = prepared.cookies;
    repeated = true;
  }
  return {
    statusCode: prepared.status,
    headers,
    ...(repeated ? { multiValueHeaders: multi } : {}),
    body: prepared.body,
    isBase64Encoded: prepared.isBase64Encoded,
  };
}

function processor(source: EventSource, decodedPath: boolean): Processor {
  return { source, request: (event) => request(event, decodedPath), result };
}

export const restProcessor = processor('rest', false);
export const httpV1Processor = processor('http-v1', true);
