// A waitUntil app as Lambda handlers, bundled for aws-lambda-ric. It turns off the runtime's
// wait for an empty event loop (callbackWaitsForEmptyEventLoop), so the invocation ends exactly
// when the handler returns: the test sees whether the handler itself waits for the work.
import { handle, streamHandle } from '../../../adapters/aws-lambda/index.js';
import type { App } from '../../../src/index.js';

const outbox: string[] = [];

const app: App = (environ, start) => {
  (
    environ['aws.context'] as { callbackWaitsForEmptyEventLoop?: boolean }
  ).callbackWaitsForEmptyEventLoop = false;
  start('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
  if (environ.PATH_INFO === '/signup') {
    const mail = new Promise<void>((resolve) => setTimeout(resolve, 600));
    environ['tsgi.waitUntil']!(mail.then(() => outbox.push('welcome')));
    return ['signed up'];
  }
  return [JSON.stringify(outbox)];
};

export const handler = handle(app);
export const streamingHandler = streamHandle(app);
