/**
 * The Lambda event, result and context shapes this adapter reads and writes, declared here so the
 * published types need nothing installed beside tsgi (no @types/aws-lambda). They describe what
 * the adapter relies on, field names as AWS documents them. No index signatures, so objects typed
 * with @types/aws-lambda are assignable to them; cast for fields not listed here.
 */

type StringMap = Record<string, string | undefined>;
type StringListMap = Record<string, string[] | undefined>;

/** API Gateway REST API (and HTTP API payload 1.0) proxy event. */
export interface APIGatewayProxyEvent {
  httpMethod: string;
  path: string;
  resource?: string;
  headers?: StringMap | null;
  multiValueHeaders?: StringListMap | null;
  queryStringParameters?: StringMap | null;
  multiValueQueryStringParameters?: StringListMap | null;
  pathParameters?: StringMap | null;
  stageVariables?: StringMap | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: {
    stage?: string;
    path?: string;
    domainName?: string;
    requestId?: string;
    identity?: { sourceIp?: string };
    authorizer?: unknown;
  };
}

/** API Gateway HTTP API payload 2.0 event (Function URLs send the same shape). */
export interface APIGatewayProxyEventV2 {
  version: string;
  routeKey?: string;
  rawPath: string;
  rawQueryString?: string;
  cookies?: string[];
  headers?: StringMap;
  queryStringParameters?: StringMap;
  pathParameters?: StringMap;
  stageVariables?: StringMap;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: {
    http: {
      method: string;
      path?: string;
      protocol?: string;
      sourceIp?: string;
      userAgent?: string;
    };
    domainName?: string;
    stage?: string;
    requestId?: string;
    authorizer?: unknown;
  };
}

/** Lambda Function URL event (payload 2.0). */
export type LambdaFunctionURLEvent = APIGatewayProxyEventV2;

/** Application Load Balancer target event (single- or multi-value headers). */
export interface ALBEvent {
  httpMethod: string;
  path: string;
  headers?: StringMap;
  multiValueHeaders?: StringListMap;
  queryStringParameters?: StringMap;
  multiValueQueryStringParameters?: StringListMap;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext: { elb: { targetGroupArn: string } };
}

/** CloudFront headers: lower-case name → list of `{ key, value }` (key as the client spelled it). */
export type CloudFrontHeaders = Record<string, Array<{ key?: string; value: string }>>;

/** The request in a Lambda@Edge viewer-request or origin-request event (and what forwardToOrigin returns). */
export interface CloudFrontRequest {
  clientIp: string;
  method: string;
  uri: string;
  querystring: string;
  headers: CloudFrontHeaders;
  body?: {
    action?: 'read-only' | 'replace';
    data: string;
    encoding: 'base64' | 'text';
    inputTruncated?: boolean;
  };
  origin?: Record<string, unknown>;
}

/** A Lambda@Edge request trigger event. */
export interface CloudFrontRequestEvent {
  Records: Array<{
    cf: {
      config: { eventType: string; distributionId?: string; requestId?: string };
      request: CloudFrontRequest;
    };
  }>;
}

/** A Lambda@Edge generated response. */
export interface CloudFrontResultResponse {
  status: string;
  statusDescription?: string;
  headers?: CloudFrontHeaders;
  body?: string;
  bodyEncoding?: 'text' | 'base64';
}

/** REST API / HTTP API 1.0 / ALB-style result. */
export interface APIGatewayProxyResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, Array<string | number | boolean>>;
  body: string;
  isBase64Encoded?: boolean;
}

/** HTTP API 2.0 / Function URL result. */
export interface APIGatewayProxyStructuredResultV2 {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/** Lambda Function URL result (the HTTP API 2.0 result shape). */
export type LambdaFunctionURLResult = APIGatewayProxyStructuredResultV2;

/** ALB result (statusDescription is required by ALB). */
export interface ALBResult {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, Array<string | number | boolean>>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** The Lambda context object: the fields the adapter and most apps read (the runtime sets them all). */
export interface Context {
  awsRequestId: string;
  functionName?: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  memoryLimitInMB?: string;
  logGroupName?: string;
  logStreamName?: string;
  callbackWaitsForEmptyEventLoop?: boolean;
  getRemainingTimeInMillis?(): number;
}
