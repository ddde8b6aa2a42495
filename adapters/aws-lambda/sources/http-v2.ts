/**
 * Payload 2.0: HTTP APIs and Lambda Function URLs. HTTP APIs deliver rawPath percent-decoded,
 * Function URLs keep it encoded. Both take cookies[] in and give cookies[] out.
 */
import { percentEncodeLatin1Path } from '../../../src/index.js';
import { lambdaError } from '../errors.js';
import type { RequestParts } from '../request.js';
import { type PreparedResult, singleValueHeaders } from '../result.js';
import { encodedPathToLatin1, rawPathToUri, textToLatin1 } from '../text.js';
import type { EventSource } from '../types.js';
import {
  absolutePath,
  method,
  optionalBody,
  optionalMap,
  optionalString,
  optionalStringArray,
  requiredString,
} from './fields.js';
import type { Processor } from './processor.js';

function request(event: Record<string, unknown>, decodedPath: boolean): RequestParts {
  const rc = event.requestContext as Record<string, unknown>;
  const http = rc.http as Record<string, unknown>;
  const rawPath = absolutePath(requiredString(event, 'rawPath'), 'rawPath');
  const path = decodedPath ? textToLatin1(rawPath) : encodedPathToLatin1(rawPath);
  const query = event.rawQueryString ?? '';
  if (typeof query !== 'string') {
    throw lambdaError('ERR_LAMBDA_EVENT_INVALID', 'rawQueryString must be a string');
  }
  const stage = optionalString(rc, 'stage');
  const named = decodedPath && stage !== undefined && stage !== '' && stage !== '$default';
  return {
    method: method(
      requiredString(http, 'method', 'requestContext.http.'),
      'requestContext.http.method',
    ),
    path,
    rawPath: decodedPath ? percentEncodeLatin1Path(path) : rawPathToUri(rawPath),
    query,
    headers: optionalMap(event, 'headers'),
    cookies: optionalStringArray(event, 'cookies'),
    body: optionalBody(event),
    isBase64Encoded: event.isBase64Encoded === true,
    remoteAddr: optionalString(http, 'sourceIp'),
    domainName: optionalString(rc, 'domainName'),
    protocol: optionalString(http, 'protocol'),
    stagePrefix: named ? `/${textToLatin1(stage)}` : undefined,
    stageInPath: true,
    requestId: optionalString(rc, 'requestId'),
  };
}

function result(prepared: PreparedResult): object {
  return {
    statusCode: prepared.status,
    headers: singleValueHeaders(prepared),
    ...(prepared.cookies.length > 0 ? { cookies: prepared.cookies } : {}),
    body: prepared.body,
    isBase64Encoded: prepared.isBase64Encoded,
  };
}

function processor(source: EventSource, decodedPath: boolean): Processor {
  return { source, request: (event) => request(event, decodedPath), result };
}

export const httpV2Processor = processor('http-v2', true);
export const functionUrlProcessor = processor('function-url', false);

/** Function URL events name their lambda-url domain; HTTP API events an execute-api or custom one. */
export function isFunctionUrl(event: Record<string, unknown>): boolean {
  const domain = optionalString(event.requestContext, 'domainName');
  return domain?.includes('.lambda-url.') === true;
}
