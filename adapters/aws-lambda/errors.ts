/**
 * Error codes of the AWS Lambda adapter. Built with the core's createError, so every error carries
 * a stable code and the HTTP status the invocation is answered with.
 */
import { type ErrorTable, errorFactory } from '../../src/index.js';

/** The Lambda adapter's error table (`ERR_LAMBDA_*`), listed in docs/errors.md. */
export const LAMBDA_ERRORS = {
  ERR_LAMBDA_EVENT_INVALID: {
    status: 400,
    message:
      'the event is not an HTTP event from API Gateway (REST or HTTP API), an ALB, a Function URL, VPC Lattice or a CloudFront Lambda@Edge request trigger',
    fix: 'Invoke the handler through one of those event sources; the detail names the missing or mistyped field.',
  },
  ERR_LAMBDA_NOT_HTTP_EVENT: {
    message:
      'the event is a batch of records from SQS, SNS, S3, DynamoDB, Kinesis or another event source, not an HTTP request; the invocation fails so the records are retried or dead-lettered, not dropped',
    fix: 'Point the event source at a function written for its records; handle() serves HTTP events only.',
  },
  ERR_LAMBDA_BODY_BASE64: {
    status: 400,
    message: 'the event says isBase64Encoded but its body is not valid base64',
    fix: 'The event was altered on its way (a test event?): send the body base64-encoded, or set isBase64Encoded to false.',
  },
  ERR_LAMBDA_BODY_FAILED: {
    status: 500,
    message:
      'the app failed while its buffered response body was being collected; the client got a 500',
    fix: 'See the logged cause (ERR_TSGI_APP_ERROR_AFTER_HEADERS). Buffered handlers can still turn late errors into a 500.',
  },
  ERR_LAMBDA_RESPONSE_TOO_LARGE: {
    status: 500,
    message: 'the buffered response is larger than maxResponseBytes (Lambda: 6 MB, ALB: 1 MB)',
    fix: 'Send large bodies with streamHandle (response streaming) or from S3; raise maxResponseBytes only if the platform allows it.',
  },
  ERR_LAMBDA_TOO_MANY_COOKIES: {
    message:
      'the app set more Set-Cookie headers than a single-value ALB or VPC Lattice response can carry; the rest were dropped',
    fix: 'Send fewer cookies, or enable multi-value headers on the ALB target group.',
  },
  ERR_LAMBDA_EDGE_RESPONSE_TOO_LARGE: {
    status: 500,
    message:
      'the response is larger than CloudFront allows a Lambda@Edge request trigger to generate (viewer request: 40 KB, origin request: 1 MB, headers and body)',
    fix: 'Serve large bodies from the origin: forward the request with forwardToOrigin, or redirect to an S3 object.',
  },
  ERR_LAMBDA_EDGE_HEADER_REFUSED: {
    message:
      'the app set headers CloudFront refuses in a generated response (Connection, Via, Transfer-Encoding, X-Amz-Cf-*…); they were left out',
    fix: 'Drop them from the app on Lambda@Edge; CloudFront sets framing and hop-by-hop headers itself.',
  },
  ERR_LAMBDA_EDGE_RESPONSE_TRIGGER: {
    status: 501,
    message:
      'handle serves Lambda@Edge viewer-request and origin-request triggers; origin-response and viewer-response triggers are not supported yet',
    fix: 'Attach the function to a request trigger of the cache behavior.',
  },
  ERR_LAMBDA_EDGE_BODY_TRUNCATED: {
    status: 413,
    message:
      'CloudFront cut the request body at its Lambda@Edge limit (viewer request: 40 KB, origin request: 1 MB); the app read past what arrived',
    fix: 'Read large bodies at the origin (forward the request), or keep uploads under the limit.',
  },
  ERR_LAMBDA_EDGE_FORWARD_INVALID: {
    status: 500,
    message:
      'forwardToOrigin was called outside a Lambda@Edge request trigger, or with a request CloudFront would reject',
    fix: "Call it only when environ['aws.edge.request'] is there, and keep uri (starting with /), method and headers ({ key, value } lists).",
  },
  ERR_LAMBDA_NO_STREAMING_RUNTIME: {
    status: 500,
    message:
      'streamHandle needs the `awslambda` global of the Lambda Node.js runtime, which is missing here',
    fix: 'Run the handler in Lambda (or under aws-lambda-ric); use handle() for buffered responses elsewhere.',
  },
  ERR_LAMBDA_STREAM_ABORTED: {
    message:
      'the app failed after the streamed response had started; the stream was ended with the error trailers',
    fix: 'See the logged cause. The status line was already sent, so the client sees a cut-off body.',
  },
} as const satisfies ErrorTable;

/** The codes of the Lambda adapter's errors. */
export type LambdaErrorCode = keyof typeof LAMBDA_ERRORS;

export const lambdaError = errorFactory(LAMBDA_ERRORS);

/** True for the error of an event-source batch (SQS, SNS…): the invocation must fail. */
export function isRecordsEvent(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_LAMBDA_NOT_HTTP_EVENT';
}
