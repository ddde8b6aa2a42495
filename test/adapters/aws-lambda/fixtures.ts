/**
 * The public sample events vendored in fixtures/events/ (their sources and licenses in SOURCES.md
 * there) and an echo app that reports the environ it saw, for the Lambda adapter tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, Environ } from 'tsgi';
import { validator } from 'tsgi';
import { handle } from 'tsgi/aws-lambda';

export const EVENTS_DIR = new URL('./fixtures/events/', import.meta.url).pathname;

/** Response samples: result shapes to compare with, not events. */
export const RESPONSE_SAMPLES = [
  'apigw-v1-response.json',
  'alb-response-multi-value.json',
  'function-url-response.json',
];

export function eventFiles(): string[] {
  return readdirSync(EVENTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function loadEvent(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8')) as Record<string, unknown>;
}

export interface Echo {
  cgi: Record<string, string>;
  body: string;
  scheme: string;
  hasEvent: boolean;
  hasContext: boolean;
}

/** Echoes every CGI key and the body as JSON; wrapped in the core validator. */
export const echoApp: App = validator(async (environ: Environ, startResponse) => {
  const body = await environ['wsgi.input'].read();
  const cgi: Record<string, string> = {};
  for (const [k, v] of Object.entries(environ)) if (!k.includes('.')) cgi[k] = v as string;
  const echo: Echo = {
    cgi,
    body: Buffer.from(body).toString('latin1'),
    scheme: environ['wsgi.url_scheme'],
    hasEvent: environ['aws.event'] !== undefined,
    hasContext: environ['aws.context'] !== undefined,
  };
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  return [JSON.stringify(echo)];
});

export const CONTEXT = {
  awsRequestId: 'test-request-id',
  functionName: 'tsgi-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:tsgi-test',
  memoryLimitInMB: '128',
  logGroupName: '/aws/lambda/tsgi-test',
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

/** A buffered result as the tests read it. */
export type EchoResult = { statusCode: number; body: string };

/** Runs one event through handle(echoApp); returns the result and what the adapter logged. */
export async function callEcho(event: unknown): Promise<{ result: EchoResult; log: string }> {
  const logs: string[] = [];
  const result = (await handle(echoApp, { log: (l) => logs.push(l) })(
    event as never,
    CONTEXT,
  )) as EchoResult;
  return { result, log: logs.join('\n') };
}
