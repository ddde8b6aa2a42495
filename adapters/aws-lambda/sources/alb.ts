/**
 * Application Load Balancer targets. The path and the query parameters arrive still
 * percent-encoded. With multi-value headers enabled on the target group the event carries only
 * multiValue* maps and the result must answer with multiValueHeaders; otherwise single values.
 */
import { lambdaError } from '../errors.js';
import type { RequestParts } from '../request.js';
import { type PreparedResult, singleValueHeaders } from '../result.js';
import { addSingleValueCookies } from '../set-cookie.js';
import { encodedPathToLatin1, joinRawQueryMap, rawPathToUri } from '../text.js';
import type { EventSource } from '../types.js';
import { absolutePath, combinedMap, method, optionalBody, requiredString } from './fields.js';
import type { Processor, ShapeSettings } from './processor.js';

function request(event: Record<string, unknown>): RequestParts {
  const rawPath = absolutePath(requiredString(event, 'path'), 'path');
  return {
    method: method(requiredString(event, 'httpMethod'), 'httpMethod'),
    path: encodedPathToLatin1(rawPath),
    rawPath: rawPathToUri(rawPath),
    query: joinRawQueryMap(
      combinedMap(event, 'multiValueQueryStringParameters', 'queryStringParameters', false),
    ),
    headers: combinedMap(event, 'multiValueHeaders', 'headers', true),
    cookies: undefined,
    body: optionalBody(event),
    isBase64Encoded: event.isBase64Encoded === true,
    remoteAddr: undefined, // from the X-Forwarded-For entry the ALB appended
    domainName: undefined,
    protocol: undefined,
    stagePrefix: undefined,
    stageInPath: false,
    requestId: undefined,
  };
}

/** `statusDescription` is a status line without the protocol: `200 OK`. */
export function statusDescription(prepared: PreparedResult): string {
  return prepared.reason ? `${prepared.status} ${prepared.reason}` : String(prepared.status);
}

function singleResult(prepared: PreparedResult, settings: ShapeSettings): object {
  const headers = singleValueHeaders(prepared);
  const dropped = addSingleValueCookies(headers, prepared.cookies, settings.singleValueCookies);
  if (dropped > 0) {
    settings.log(
      lambdaError(
        'ERR_LAMBDA_TOO_MANY_COOKIES',
        `${dropped} of ${prepared.cookies.length} dropped (singleValueCookies: '${settings.singleValueCookies}')`,
      ).message,
    );
  }
  return {
    statusCode: prepared.status,
    statusDescription: statusDescription(prepared),
    headers,
    body: prepared.body,
    isBase64Encoded: prepared.isBase64Encoded,
  };
}

function multiResult(prepared: PreparedResult): object {
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, values] of prepared.headers) multiValueHeaders[name] = values;
  if (prepared.cookies.length > 0) multiValueHeaders['set-cookie'] = prepared.cookies;
  return {
    statusCode: prepared.status,
    statusDescription: statusDescription(prepared),
    multiValueHeaders,
    body: prepared.body,
    isBase64Encoded: prepared.isBase64Encoded,
  };
}

export const albProcessor: Processor = {
  source: 'alb' as EventSource,
  request,
  result: singleResult,
};

export const albMultiProcessor: Processor = {
  source: 'alb-multi' as EventSource,
  request,
  result: multiResult,
};

export { singleResult as singleValueResult };
