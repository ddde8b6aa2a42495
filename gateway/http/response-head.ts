/**
 * The HTTP/1.1 response head for an AppResponse: status line, the app's headers (checked), then
 * Date, Connection / Keep-Alive and the framing the body needs (Content-Length when known, else
 * chunked for HTTP/1.1, else the body ends at close). No I/O.
 */
import { type AppResponse, isNullBodyStatus } from '../../src/index.js';
import { gatewayError } from '../errors.js';
import { announcedLength, checkContentLength, hasCrLf } from './app-headers.js';

export interface HeadOptions {
  readonly isHead: boolean;
  /** The request's minor version (0: HTTP/1.0 has no chunked encoding). */
  readonly minor: 0 | 1;
  /** The connection may stay open after this response. */
  readonly keepAlive: boolean;
  /** Advertised as `Keep-Alive: timeout=N`. */
  readonly keepAliveSeconds: number;
  /** The value of the Date header (an IMF-fixdate). */
  readonly date: string;
}

export interface ResponseHead {
  /** The head, latin-1 (one byte per character). */
  readonly text: string;
  /** The body must be sent chunk-encoded. */
  readonly chunked: boolean;
  /** The connection stays open after the body (false: close once it is written). */
  readonly keepAlive: boolean;
  /** No body bytes may follow (HEAD, 1xx, 204, 205, 304). */
  readonly bodyless: boolean;
}

/**
 * Serializes the head. Throws a coded 500 (ERR_GATEWAY_HEADER_CRLF,
 * ERR_GATEWAY_BAD_CONTENT_LENGTH) rather than write a head a peer would split or frame apart.
 */
export function serializeResponseHead(response: AppResponse, options: HeadOptions): ResponseHead {
  const statusLine = response.statusLine;
  if (hasCrLf(statusLine)) throw gatewayError('ERR_GATEWAY_HEADER_CRLF', 'in the status line');
  let text = `HTTP/1.1 ${statusLine}\r\n`;
  let declared: string | undefined;
  let keepAlive = options.keepAlive;
  let ownConnection = false;
  let ownDate = false;
  let ownChunked: boolean | undefined;
  const headers = response.headers;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    if (hasCrLf(name) || hasCrLf(value)) {
      throw gatewayError('ERR_GATEWAY_HEADER_CRLF', `header ${JSON.stringify(name)}`);
    }
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'date') ownDate = true;
        break;
      case 10:
        if (name.toLowerCase() === 'connection') {
          ownConnection = true;
          if (/(?:^|,)\s*close\s*(?:,|$)/i.test(value)) keepAlive = false;
        }
        break;
      case 10 + 4:
        if (name.toLowerCase() === 'content-length') declared = checkContentLength(value, declared);
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding')
          ownChunked = /(?:^|,)\s*chunked\s*$/i.test(value);
        break;
    }
    text += `${name}: ${value}\r\n`;
  }
  const bodyless = options.isHead || isNullBodyStatus(response.status);
  let chunked = false;
  if (declared === undefined && !isNullBodyStatus(response.status)) {
    const length = announcedLength(response, options.isHead);
    if (length !== undefined) {
      text += `Content-Length: ${length}\r\n`;
    } else if (!bodyless) {
      if (ownChunked !== undefined) {
        // The app framed it: chunk-encode for it when it named chunked, else end at close.
        chunked = ownChunked;
        if (!chunked) keepAlive = false;
      } else if (options.minor === 1) {
        chunked = true;
      } else {
        keepAlive = false;
      }
    }
  }
  if (!ownDate) text += `Date: ${options.date}\r\n`;
  if (!ownConnection) {
    text += keepAlive
      ? `Connection: keep-alive\r\nKeep-Alive: timeout=${options.keepAliveSeconds}\r\n`
      : 'Connection: close\r\n';
  }
  if (chunked && ownChunked === undefined) text += 'Transfer-Encoding: chunked\r\n';
  return { text: `${text}\r\n`, chunked, keepAlive, bodyless };
}

let dateSecond = -1;
let dateText = '';

/** The current IMF-fixdate, computed at most once a second. */
export function httpDate(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}
