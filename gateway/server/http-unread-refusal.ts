/**
 * The answer to an HTTP request that could not be read (no method or URI to act on): malformed
 * bytes (400), a head past buffer-size (431), a head not complete within socket-timeout (408).
 * node:http's clientError handler (http-server.ts) and the raw-handle path (http-fast-accept.ts)
 * give the same bytes, warning and request line (not counted as a request).
 */
import { limitMessage } from '../limits.js';
import type { ConnectionContext } from './connection-context.js';
import { refusedUnread } from './request-cycle.js';

export type UnreadStatus = 400 | 408 | 431;

const STATUS_LINES: Record<UnreadStatus, string> = {
  400: '400 Bad Request',
  408: '408 Request Timeout',
  431: '431 Request Header Fields Too Large',
};

/** The response: no body, and the connection closes after it. */
export function unreadAnswer(status: UnreadStatus): string {
  return `HTTP/1.1 ${STATUS_LINES[status]}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;
}

/**
 * Logs why (the limit and its option, or the parser's `reason` for a 400), writes the answer with
 * `send`, then the request line.
 */
export function refuseUnread(
  context: ConnectionContext,
  status: UnreadStatus,
  remote: string | undefined,
  reason: string,
  send: (answer: string) => void,
): void {
  const { options, log } = context;
  if (status === 431) {
    log.warn(limitMessage('httpHeadSize', options.bufferSize));
  } else if (status === 408) {
    log.warn(limitMessage('httpHeadTimeout', options.socketTimeout));
  } else {
    log.warn(`malformed HTTP request (${reason}): 400`);
  }
  send(unreadAnswer(status));
  refusedUnread(context, remote, status);
}
