/**
 * handle(app): a buffered Lambda handler. The app's whole body is collected, then written in the
 * result shape of the event's source. A malformed event is a 400 result, an app failure a 500
 * result, both logged with the request id. It rejects only for a batch of records (SQS, SNS…):
 * no client waits there, and a result would count as the records handled.
 */
import {
  type App,
  type AppResponse,
  type Environ,
  errorResponse,
  type PendingWork,
  type RunOptions,
  statusOf,
} from '../../src/index.js';
import { defaultIsBinary } from './binary.js';
import { forwardedRequest } from './edge-forward.js';
import { buildEnviron, type EnvironSettings, environSettings } from './environ.js';
import { isRecordsEvent, lambdaError } from './errors.js';
import { initStartup, invocationWork, runAfterStartup } from './extensions.js';
import {
  bodyless,
  collectBody,
  type PreparedResult,
  prepareResult,
  type ResultSettings,
  singleValueHeaders,
  textResult,
} from './result.js';
import { detectProcessor } from './sources/detect.js';
import type { Processor, ShapeSettings } from './sources/processor.js';
import type {
  Context,
  HandleOptions,
  LambdaEnviron,
  LambdaHttpEvent,
  LambdaHttpResult,
} from './types.js';

/** Errors of the result step that keep their own code (the others become ERR_LAMBDA_BODY_FAILED). */
const RESULT_ERRORS = new Set([
  'ERR_LAMBDA_RESPONSE_TOO_LARGE',
  'ERR_LAMBDA_EDGE_RESPONSE_TOO_LARGE',
  'ERR_LAMBDA_EDGE_FORWARD_INVALID',
]);

const SIX_MB = 6 * 1024 * 1024;
const ONE_MB = 1024 * 1024;

/** What handle returns: `async (event, context) => result`, typed for the events of E. */
export type LambdaHandler<E extends LambdaHttpEvent = LambdaHttpEvent> = (
  event: E,
  context?: Context,
) => Promise<LambdaHttpResult>;

interface Settings {
  environ: EnvironSettings;
  run: RunOptions;
  result: ResultSettings;
  albResult: ResultSettings;
  options: HandleOptions;
}

function settingsFrom(options: HandleOptions): Settings {
  const isBinary = options.isBinary ?? defaultIsBinary;
  return {
    environ: environSettings(options),
    run: {
      ...(options.debug === undefined ? {} : { debug: options.debug }),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    },
    result: { isBinary, maxResponseBytes: options.maxResponseBytes ?? SIX_MB },
    albResult: { isBinary, maxResponseBytes: options.maxResponseBytes ?? ONE_MB },
    options,
  };
}

function requestIdOf(event: unknown, context: Context | undefined): string {
  if (context?.awsRequestId) return context.awsRequestId;
  const rc = (event as { requestContext?: { requestId?: unknown } } | null)?.requestContext;
  return typeof rc?.requestId === 'string' ? rc.requestId : '-';
}

/** A plain result every source accepts (used when the event's source is unknown). */
function plainResult(prepared: PreparedResult): LambdaHttpResult {
  return {
    statusCode: prepared.status,
    headers: singleValueHeaders(prepared),
    body: prepared.body,
    isBase64Encoded: false,
  };
}

async function toResult(
  processor: Processor | undefined,
  response: AppResponse,
  method: string,
  settings: Settings,
  shape: ShapeSettings,
): Promise<LambdaHttpResult> {
  const isAlb = processor?.source === 'alb' || processor?.source === 'alb-multi';
  const resultSettings = isAlb ? settings.albResult : settings.result;
  const bytes = await collectBody(response, bodyless(method, response.status));
  const prepared = prepareResult(response, bytes, method, resultSettings);
  return processor
    ? (processor.result(prepared, shape) as LambdaHttpResult)
    : plainResult(prepared);
}

/**
 * A TSGI app as a buffered Lambda handler. Type it for one source to type `aws.event`:
 * `handle<APIGatewayProxyEventV2>(app)` with `app: App<LambdaEnviron<APIGatewayProxyEventV2>>`.
 */
export function handle<E extends LambdaHttpEvent = LambdaHttpEvent>(
  typedApp: App<LambdaEnviron<E>>,
  options: HandleOptions = {},
): LambdaHandler<E> {
  // The environ built below carries aws.event and aws.context (environ.ts).
  const app = typedApp as App;
  const settings = settingsFrom(options);
  const log = settings.environ.log;
  const startup = initStartup(options);
  return async (event: LambdaHttpEvent, context?: Context): Promise<LambdaHttpResult> => {
    const requestId = requestIdOf(event, context);
    const shape: ShapeSettings = {
      singleValueCookies: options.singleValueCookies ?? 'case-variants',
      log: (line) => log(`[${requestId}] ${line}`),
    };
    let processor: Processor | undefined;
    let response: AppResponse;
    let environ: Environ;
    let method = 'GET';
    let work: PendingWork | undefined;
    try {
      processor = detectProcessor(event);
      const parts = processor.request(event as unknown as Record<string, unknown>);
      method = parts.method;
      environ = buildEnviron(parts, event, context, settings.environ);
      work = invocationWork(environ);
      response = await runAfterStartup(app, environ, startup, settings.run);
    } catch (error) {
      // Malformed event (400) or, should the core itself fail, a 500.
      shape.log(`${(error as Error)?.message ?? String(error)}`);
      await work?.settled();
      if (isRecordsEvent(error)) throw error;
      return badRequest(processor, error, settings, shape);
    }
    try {
      // Lambda@Edge: the app handed the request back for CloudFront to send on.
      const forwarded = forwardedRequest(environ);
      if (forwarded) return forwarded as LambdaHttpResult;
      return await toResult(processor, response, method, settings, shape);
    } catch (error) {
      const coded = RESULT_ERRORS.has((error as { code?: string })?.code ?? '')
        ? error
        : lambdaError('ERR_LAMBDA_BODY_FAILED', undefined, error);
      shape.log((coded as Error).message);
      return toResult(processor, errorResponse(coded, options.debug), method, settings, shape);
    } finally {
      await response.close();
      // Lambda freezes the environment once the handler returns: background work goes first.
      await work.settled();
    }
  };
}

/** The answer to an event we could not read: its status, and the coded message as the body. */
function badRequest(
  processor: Processor | undefined,
  error: unknown,
  settings: Settings,
  shape: ShapeSettings,
): LambdaHttpResult {
  const status = statusOf(error);
  const detail =
    status === 400 || settings.options.debug === true
      ? `${(error as Error)?.message ?? String(error)}\n`
      : '';
  const prepared = textResult(status, detail);
  return processor
    ? (processor.result(prepared, shape) as LambdaHttpResult)
    : plainResult(prepared);
}
