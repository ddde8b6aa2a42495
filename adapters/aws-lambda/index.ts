/**
 * @module tsgi/aws-lambda
 * Runs a TSGI app on AWS Lambda behind API Gateway (REST and HTTP APIs), an Application Load
 * Balancer, a Function URL, VPC Lattice or a CloudFront Lambda@Edge request trigger (where
 * `forwardToOrigin` hands the request on instead of answering). `handle` buffers the response; `streamHandle` streams
 * it through Lambda response streaming. The environ carries `aws.event` and `aws.context`.
 */

export { defaultIsBinary } from './binary.js';
export { forwardToOrigin } from './edge-forward.js';
export type { LambdaErrorCode } from './errors.js';
export { LAMBDA_ERRORS } from './errors.js';
export type {
  ALBEvent,
  ALBResult,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
  CloudFrontHeaders,
  CloudFrontRequest,
  CloudFrontRequestEvent,
  CloudFrontResultResponse,
  LambdaFunctionURLEvent,
  LambdaFunctionURLResult,
} from './event-types.js';
export type { LambdaHandler } from './handle.js';
export { handle } from './handle.js';
export { installLightweightResponse } from './lightweight-response.js';
export { caseVariant } from './set-cookie.js';
export { detectSource } from './sources/detect.js';
export { EDGE_GENERATED_RESPONSE_LIMITS } from './sources/edge.js';
export type {
  ResponseStream,
  StreamHandleOptions,
  StreamingHandler,
  StreamPrelude,
} from './stream-handle.js';
export { streamHandle } from './stream-handle.js';
export type {
  Context,
  EventSource,
  HandleOptions,
  IsBinary,
  LambdaEnviron,
  LambdaHttpEvent,
  LambdaHttpResult,
  LatticeEventV1,
  LatticeEventV2,
  LatticeResult,
  SingleValueCookies,
} from './types.js';
