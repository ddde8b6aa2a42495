/**
 * Checks on the headers an app answers with, shared by every writer of a response head (HTTP and
 * uwsgi sockets): what would split a response or make a peer frame its body differently.
 */
import type { AppResponse } from '../../src/index.js';
import { gatewayError } from '../errors.js';

export function hasCrLf(text: string): boolean {
  return text.indexOf('\r') !== -1 || text.indexOf('\n') !== -1;
}

const DIGITS = /^[0-9]{1,15}$/;

/**
 * Checks an app's Content-Length header against the one seen before it (undefined for none) and
 * returns the value to remember. `abc`, `3,3` or a second, different value would make the peer
 * frame the body differently from us (response splitting on a kept-alive connection): refused.
 */
export function checkContentLength(value: string, seen: string | undefined): string {
  if (!DIGITS.test(value) || (seen !== undefined && seen !== value)) {
    const shown = seen === undefined ? value : `${seen} and ${value}`;
    throw gatewayError('ERR_GATEWAY_BAD_CONTENT_LENGTH', JSON.stringify(shown));
  }
  return value;
}

/**
 * The Content-Length to announce: the known one, or for HEAD the length of the body the app
 * produced anyway (what the GET would carry), when it produced it all up front.
 */
export function announcedLength(response: AppResponse, isHead: boolean): number | undefined {
  if (response.contentLength !== undefined || !isHead || !response.complete)
    return response.contentLength;
  let total = 0;
  for (const chunk of response.chunks) total += chunk.length;
  return total;
}
