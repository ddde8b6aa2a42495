/**
 * Which source sent an event. Checked in this order because shapes overlap: REST events behind a
 * custom-domain base path can carry rawPath (honojs/hono#5015), so payload 2.0 needs
 * requestContext.http too.
 */
import { lambdaError } from '../errors.js';
import { isObject } from '../text.js';
import { albMultiProcessor, albProcessor } from './alb.js';
import { edgeProcessor, edgeRecord } from './edge.js';
import { functionUrlProcessor, httpV2Processor, isFunctionUrl } from './http-v2.js';
import { latticeV1Processor, latticeV2Processor } from './lattice.js';
import type { Processor } from './processor.js';
import { httpV1Processor, restProcessor } from './rest.js';

export function detectProcessor(event: unknown): Processor {
  if (!isObject(event) || Array.isArray(event)) {
    const what = event === null ? 'null' : Array.isArray(event) ? 'an array' : `a ${typeof event}`;
    throw lambdaError('ERR_LAMBDA_EVENT_INVALID', `the event is ${what}, not an object`);
  }
  // An authorizer must answer with an IAM policy, not an HTTP response: serving its event as a
  // request would run the app on a call that is no request, and return a shape API Gateway rejects.
  if (typeof event.methodArn === 'string' || typeof event.routeArn === 'string') {
    throw lambdaError(
      'ERR_LAMBDA_EVENT_INVALID',
      `an API Gateway ${typeof event.type === 'string' ? `${event.type} ` : ''}authorizer event (it has ${typeof event.methodArn === 'string' ? 'methodArn' : 'routeArn'}): write the authorizer as its own function`,
    );
  }
  const cf = edgeRecord(event);
  if (cf) return edgeProcessor(cf);
  const rc = event.requestContext;
  if (isObject(rc)) {
    if (isObject(rc.elb))
      return isObject(event.multiValueHeaders) ? albMultiProcessor : albProcessor;
    if (isObject(rc.http) && typeof event.rawPath === 'string') {
      return isFunctionUrl(event) ? functionUrlProcessor : httpV2Processor;
    }
    if (typeof rc.serviceArn === 'string') return latticeV2Processor;
  }
  if (typeof event.raw_path === 'string') return latticeV1Processor;
  if ('httpMethod' in event) {
    // HTTP APIs send payload 1.0 with version "1.0" and no REST resource id.
    const httpApi = event.version === '1.0' && isObject(rc) && rc.resourceId == null;
    return httpApi ? httpV1Processor : restProcessor;
  }
  if (Array.isArray(event.Records)) {
    // No client waits for an answer here: a 400 result would be a success to the event source,
    // which would then delete the records (SQS) or move past them (Kinesis, DynamoDB streams).
    const first = event.Records[0] as Record<string, unknown> | undefined;
    const source = first?.eventSource ?? first?.EventSource;
    throw lambdaError(
      'ERR_LAMBDA_NOT_HTTP_EVENT',
      typeof source === 'string'
        ? `Records[0].eventSource is ${JSON.stringify(source)}`
        : undefined,
    );
  }
  throw lambdaError(
    'ERR_LAMBDA_EVENT_INVALID',
    'no httpMethod, requestContext.http, requestContext.elb or requestContext.serviceArn',
  );
}

/** The event source name for an event, or undefined when it is not an HTTP event. */
export function detectSource(event: unknown): Processor['source'] | undefined {
  try {
    return detectProcessor(event).source;
  } catch {
    return undefined;
  }
}
