/**
 * Event, result and option types of the Lambda adapter. The API Gateway, ALB, Function URL and
 * CloudFront shapes are in event-types.ts; VPC Lattice's two payloads are described here.
 */

import type { Environ, LifespanHooks, RunOptions } from '../../src/index.js';
import type {
  ALBEvent,
  ALBResult,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
  CloudFrontRequest,
  CloudFrontRequestEvent,
  CloudFrontResultResponse,
  Context,
  LambdaFunctionURLEvent,
  LambdaFunctionURLResult,
} from './event-types.js';

/** VPC Lattice payload 2.0 (header and query values are arrays; older samples use strings). */
export interface LatticeEventV2 {
  version: '2.0';
  path: string;
  method: string;
  headers?: Record<string, string | string[] | undefined> | null;
  queryStringParameters?: Record<string, string | string[] | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext: { serviceArn: string; [key: string]: unknown };
}

/** VPC Lattice payload 1.0 (snake_case keys). */
export interface LatticeEventV1 {
  raw_path: string;
  method: string;
  headers?: Record<string, string | string[] | undefined> | null;
  query_string_parameters?: Record<string, string | string[] | undefined> | null;
  body?: string | null;
  is_base64_encoded?: boolean;
}

/** VPC Lattice answers like a single-value ALB. */
export interface LatticeResult {
  statusCode: number;
  statusDescription: string;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/** Every event handle serves: REST, HTTP API, Function URL, ALB, VPC Lattice, Lambda@Edge requests. */
export type LambdaHttpEvent =
  | APIGatewayProxyEvent
  | APIGatewayProxyEventV2
  | LambdaFunctionURLEvent
  | ALBEvent
  | LatticeEventV2
  | LatticeEventV1
  | CloudFrontRequestEvent;

/** Every result handle returns, in the shape of the event's source. */
export type LambdaHttpResult =
  | APIGatewayProxyResult
  | APIGatewayProxyStructuredResultV2
  | LambdaFunctionURLResult
  | ALBResult
  | LatticeResult
  | CloudFrontResultResponse
  | CloudFrontRequest;

/**
 * Where an event came from. `http-v1` is an HTTP API with payload format 1.0 (REST-shaped, but its
 * path arrives percent-decoded); `function-url` and `http-v2` share payload 2.0.
 */
export type EventSource =
  | 'rest'
  | 'http-v1'
  | 'http-v2'
  | 'function-url'
  | 'alb'
  | 'alb-multi'
  | 'lattice-v2'
  | 'lattice-v1'
  | 'viewer-request'
  | 'origin-request'
  | 'edge-response';

/**
 * How several Set-Cookie headers leave in a single-value ALB (or VPC Lattice) result, whose
 * `headers` map holds one value per name and where joining cookies with commas breaks them:
 * - `case-variants` (default): each cookie under a differently-cased name (`set-cookie`,
 *   `Set-cookie`, `sEt-cookie`…); ALB passes the names through, clients match them
 *   case-insensitively, so every cookie arrives (up to 512).
 * - `first` / `last`: keep one cookie, drop the others (logged).
 */
export type SingleValueCookies = 'case-variants' | 'first' | 'last';

/** Decides base64 for a buffered response; content type and encoding as the app set them. */
export type IsBinary = (
  contentType: string | undefined,
  contentEncoding: string | undefined,
) => boolean;

/** Options of handle (and, without the buffering ones, streamHandle); see docs/api.md for isBinary, singleValueCookies and onError. */
export interface HandleOptions extends RunOptions, Pick<LifespanHooks, 'startup'> {
  /**
   * Move the API stage into SCRIPT_NAME: HTTP API `/<stage>` at the start of rawPath (named stages),
   * and for REST APIs the prefix the gateway stripped (requestContext.path minus path: the stage on
   * execute-api URLs, the base path on custom domains).
   */
  stage?: boolean;
  /** A fixed prefix (URL form, e.g. `/api`) moved from PATH_INFO into SCRIPT_NAME when present. */
  basePath?: string;
  /** Base64 rule for buffered results (default: `defaultIsBinary`). */
  isBinary?: IsBinary;
  /** Several Set-Cookie in a single-value ALB / VPC Lattice result (default `case-variants`). */
  singleValueCookies?: SingleValueCookies;
  /** Largest buffered body, in bytes after base64 (default 6 MB; ALB results 1 MB). */
  maxResponseBytes?: number;
  /** SERVER_NAME when neither a Host header nor requestContext.domainName is there (ALB health checks). */
  serverName?: string;
  /** Log sink for wsgi.errors and adapter errors (default console.error); lines carry the request id. */
  log?: (line: string) => void;
}

export type { Context };

/**
 * The environ a Lambda app sees: `aws.event` is the event (of type E when the handler is typed for
 * one source, `handle<APIGatewayProxyEventV2>(app)`), `aws.context` the invocation's context.
 */
export interface LambdaEnviron<E extends LambdaHttpEvent = LambdaHttpEvent> extends Environ {
  'aws.event': E;
  'aws.context': Context;
}
