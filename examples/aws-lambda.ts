/**
 * A TSGI app on AWS Lambda. `handler` answers API Gateway (REST and HTTP APIs), ALB, Function URL
 * VPC Lattice and CloudFront Lambda@Edge request events with a buffered result; `streamingHandler` streams through a Function URL
 * with InvokeMode RESPONSE_STREAM. Deploy with examples/aws-lambda/template.yaml (see its header).
 */
import type { CloudFrontRequest } from 'aws-lambda';
import type { App, Environ } from 'tsgi';
import { latin1ToUtf8 } from 'tsgi';
import { forwardToOrigin, handle, streamHandle } from 'tsgi/aws-lambda';

const TEXT = [['Content-Type', 'text/plain; charset=utf-8']] as [string, string][];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function echo(environ: Environ): Promise<string> {
  const body = await environ['wsgi.input'].read();
  const context = environ['aws.context'] as { awsRequestId?: string } | undefined;
  return JSON.stringify({
    method: environ.REQUEST_METHOD,
    scriptName: latin1ToUtf8(environ.SCRIPT_NAME),
    pathInfo: latin1ToUtf8(environ.PATH_INFO),
    query: environ.QUERY_STRING,
    host: environ.HTTP_HOST ?? null,
    cookie: environ.HTTP_COOKIE ?? null,
    remoteAddr: environ.REMOTE_ADDR ?? null,
    contentLength: environ.CONTENT_LENGTH ?? null,
    body: new TextDecoder().decode(body),
    requestId: context?.awsRequestId ?? null,
  });
}

export const app: App = async (environ, startResponse) => {
  switch (environ.PATH_INFO) {
    case '/':
      startResponse('200 OK', TEXT);
      return ['Hello from TSGI on Lambda\n'];
    case '/echo': {
      const json = await echo(environ);
      startResponse('200 OK', [['Content-Type', 'application/json']]);
      return [json];
    }
    case '/cookies':
      startResponse('200 OK', [
        ...TEXT,
        ['Set-Cookie', 'a=1; Path=/; HttpOnly'],
        ['Set-Cookie', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT'],
      ]);
      return ['two cookies\n'];
    case '/binary': {
      const bytes = new Uint8Array(256);
      for (let i = 0; i < 256; i++) bytes[i] = i;
      startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
      return [bytes];
    }
    case '/stream':
      startResponse('200 OK', TEXT);
      return (async function* () {
        for (let i = 1; i <= 3; i++) {
          yield `chunk ${i}\n`;
          await sleep(20);
        }
      })();
    case '/big': {
      // 2 MiB in 32 KiB chunks: exercises backpressure when streamed.
      const chunk = new Uint8Array(32 * 1024).fill(120);
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return (function* () {
        for (let i = 0; i < 64; i++) yield chunk;
      })();
    }
    case '/stream-error':
      startResponse('200 OK', TEXT);
      return (async function* () {
        yield 'partial\n';
        await sleep(10);
        throw new Error('the example failed mid-stream');
      })();
    case '/throw':
      throw new Error('the example failed before its headers');
    case '/to-origin': {
      // Lambda@Edge request trigger: let CloudFront fetch from the origin, with a header added.
      const request = environ['aws.edge.request'] as CloudFrontRequest | undefined;
      if (!request) break;
      request.headers['x-served-by'] = [{ key: 'X-Served-By', value: 'tsgi' }];
      return forwardToOrigin(environ, startResponse, request);
    }
  }
  startResponse('404 Not Found', TEXT);
  return ['not found\n'];
};

export const handler = handle(app);
export const streamingHandler = streamHandle(app);
