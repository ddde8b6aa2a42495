/** The HTTP/1.1 status line and header block written back over a uwsgi socket. */
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
 * `HTTP/1.1 200 OK\r\nName: value\r\n...\r\n\r\n`, with Content-Length added when the length is
 * known and the app did not set it. `bodyless` (204, 304, 1xx) gets no added Content-Length.
 * Throws ERR_GATEWAY_HEADER_CRLF rather than write a header that would split the response.
 */
export function serializeHead(
  response: AppResponse,
  bodyless: boolean,
  contentLength = response.contentLength,
): string {
  let head = `HTTP/1.1 ${response.statusLine}\r\n`;
  if (hasCrLf(response.statusLine))
    throw gatewayError('ERR_GATEWAY_HEADER_CRLF', 'in the status line');
  let length: string | undefined;
  const headers = response.headers;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    if (hasCrLf(name) || hasCrLf(value)) {
      throw gatewayError('ERR_GATEWAY_HEADER_CRLF', `header ${JSON.stringify(name)}`);
    }
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      length = checkContentLength(value, length);
    }
    head += `${name}: ${value}\r\n`;
  }
  if (length === undefined && !bodyless && contentLength !== undefined) {
    head += `Content-Length: ${contentLength}\r\n`;
  }
  return `${head}\r\n`;
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
