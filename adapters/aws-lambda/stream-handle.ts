/**
 * streamHandle(app): Lambda response streaming (Function URLs with InvokeMode RESPONSE_STREAM, REST
 * APIs with streaming). The runtime's HttpResponseStream writes the JSON prelude (status, headers,
 * cookies) at the first write, which we make with the app's first non-empty chunk — the moment
 * PEP 3333 fixes the headers. An app failure after that can only end the stream: the handler rejects
 * and the runtime closes the response with its error trailers.
 */
import { type App, type AppResponse, type PendingWork, statusOf } from '../../src/index.js';
import { buildEnviron, environSettings } from './environ.js';
import { isRecordsEvent, lambdaError } from './errors.js';
import { initStartup, invocationWork, runAfterStartup } from './extensions.js';
import { bodyless, textResult } from './result.js';
import { detectProcessor } from './sources/detect.js';
import { latin1ToText } from './text.js';
import type { Context, HandleOptions, LambdaEnviron, LambdaHttpEvent } from './types.js';

/** The part of the runtime's response stream (a Node Writable) used here. */
export interface ResponseStream {
  write(chunk: Uint8Array | string): boolean;
  end(callback?: () => void): unknown;
  once(event: 'drain' | 'close' | 'error', listener: () => void): unknown;
  removeListener(event: 'drain' | 'close' | 'error', listener: () => void): unknown;
  /** True once the runtime's connection is gone (no 'drain' will come). */
  readonly destroyed?: boolean;
}

/** The status and headers written before a streamed body (Lambda's HttpResponseStream prelude). */
export interface StreamPrelude {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
}

/** The `awslambda` global the Node.js runtime (and aws-lambda-ric) defines before loading handlers. */
interface AwsLambdaRuntime {
  streamifyResponse<H>(handler: H): H;
  HttpResponseStream: { from(stream: ResponseStream, prelude: StreamPrelude): ResponseStream };
}

/** What streamHandle returns: `async (event, responseStream, context) => void`, for RESPONSE_STREAM. */
export type StreamingHandler<E extends LambdaHttpEvent = LambdaHttpEvent> = (
  event: E,
  responseStream: ResponseStream,
  context?: Context,
) => Promise<void>;

/** Options of streamHandle: HandleOptions without the ones that only apply to a buffered result. */
export type StreamHandleOptions = Omit<
  HandleOptions,
  'isBinary' | 'singleValueCookies' | 'maxResponseBytes'
>;

function runtimeGlobal(): AwsLambdaRuntime | undefined {
  const g = (globalThis as unknown as { awslambda?: Partial<AwsLambdaRuntime> }).awslambda;
  return typeof g?.streamifyResponse === 'function' && g.HttpResponseStream
    ? (g as AwsLambdaRuntime)
    : undefined;
}

function prelude(status: number, headers: Iterable<readonly [string, string]>): StreamPrelude {
  const out: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, raw] of headers) {
    const lower = name.toLowerCase();
    const value = latin1ToText(raw);
    if (lower === 'set-cookie') cookies.push(value);
    else out[lower] = out[lower] === undefined ? value : `${out[lower]}, ${value}`;
  }
  return { statusCode: status, headers: out, cookies };
}

function drained(stream: ResponseStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.removeListener('drain', done);
      stream.removeListener('close', done);
      stream.removeListener('error', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

function ended(stream: ResponseStream): Promise<void> {
  return new Promise((resolve) => {
    stream.end(() => resolve());
  });
}

/** A TSGI app as a response-streaming Lambda handler; typed per source as `handle` is. */
export function streamHandle<E extends LambdaHttpEvent = LambdaHttpEvent>(
  typedApp: App<LambdaEnviron<E>>,
  options: StreamHandleOptions = {},
): StreamingHandler<E> {
  const app = typedApp as App;
  const runtime = runtimeGlobal();
  if (!runtime) {
    // Importing a module that builds a streaming handler must not crash outside Lambda.
    return async () => {
      throw lambdaError('ERR_LAMBDA_NO_STREAMING_RUNTIME');
    };
  }
  const settings = environSettings(options);
  const startup = initStartup(options);
  const runOptions = {
    ...(options.debug === undefined ? {} : { debug: options.debug }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  };
  const handler: StreamingHandler = async (event, responseStream, context) => {
    const requestId = context?.awsRequestId ?? '-';
    const log = (line: string): void => settings.log(`[${requestId}] ${line}`);
    let response: AppResponse;
    let method = 'GET';
    let work: PendingWork | undefined;
    try {
      const processor = detectProcessor(event);
      const parts = processor.request(event as unknown as Record<string, unknown>);
      method = parts.method;
      const environ = buildEnviron(parts, event, context, settings);
      work = invocationWork(environ);
      response = await runAfterStartup(app, environ, startup, runOptions);
    } catch (error) {
      log((error as Error)?.message ?? String(error));
      if (isRecordsEvent(error)) {
        await work?.settled();
        throw error;
      }
      const status = statusOf(error);
      const text = textResult(status, status === 400 ? `${(error as Error).message}\n` : '');
      const out = runtime.HttpResponseStream.from(
        responseStream,
        prelude(status, [['content-type', 'text/plain; charset=utf-8']]),
      );
      out.write(text.body);
      await ended(out);
      await work?.settled();
      return;
    }
    const out = runtime.HttpResponseStream.from(
      responseStream,
      prelude(response.status, response.headers),
    );
    let wrote = false;
    try {
      if (!bodyless(method, response.status)) {
        for await (const chunk of response.body) {
          wrote = true;
          if (!out.write(chunk) && !out.destroyed) await drained(out);
          // The runtime dropped the response: stop pulling (close() below releases the app).
          if (out.destroyed) break;
        }
      }
      // The prelude goes out with the first write; an empty body still needs one.
      if (!wrote) out.write('');
      await ended(out);
    } catch (error) {
      const aborted = lambdaError('ERR_LAMBDA_STREAM_ABORTED', undefined, error);
      log(aborted.message);
      throw aborted;
    } finally {
      await response.close();
      // After the stream has ended: the client has its answer, the invocation waits for this.
      await work.settled();
    }
  };
  return runtime.streamifyResponse(handler);
}
