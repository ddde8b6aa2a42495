// Echoes the X-Name request header into a response header and a cookie, bundled for aws-lambda-ric.
// The environ holds header values as their UTF-8 bytes (latin-1); the result's JSON must hold the
// text again, or the gateway would send those bytes UTF-8 encoded a second time.
import { handle, streamHandle } from '../../../adapters/aws-lambda/index.js';
import { type App, latin1ToBytes } from '../../../src/index.js';

const app: App = (environ, start) => {
  const name = environ.HTTP_X_NAME ?? '';
  start('200 OK', [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['X-Name', name],
    // One byte 0xE9, no UTF-8: it can only go out as the char it is.
    ['X-Latin1', 'caf\u00e9'],
    ['Set-Cookie', `name=${name}; Path=/`],
    ['Set-Cookie', 'plain=1'],
  ]);
  // The body is the same bytes, sent as bytes.
  return [latin1ToBytes(name)];
};

export const handler = handle(app);
export const streamingHandler = streamHandle(app);
