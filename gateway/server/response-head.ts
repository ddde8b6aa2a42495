/** The HTTP/1.1 status line and header block written back over a uwsgi socket. */
import type { AppResponse } from '../../src/index.js';
import { gatewayError } from '../errors.js';
import { announcedLength, checkContentLength, hasCrLf } from '../http/app-headers.js';

export { announcedLength, checkContentLength, hasCrLf };

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
