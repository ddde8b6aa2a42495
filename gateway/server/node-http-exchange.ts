/**
 * The node:http transport of the request cycle (request-cycle.ts): an Exchange over node's
 * IncomingMessage and ServerResponse, and the ResponseCodec that writes through writeHead, write
 * and end. node:http frames the body (Content-Length or chunked), decides keep-alive and reads the
 * next request; the cycle runs the app, chooses whole or streamed, logs and counts, as on every
 * other path. This serves TLS, connections the raw handle hands over, and every HTTP connection
 * under --disable-fast-transport.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AppResponse, errorResponse, isNullBodyStatus } from '../../src/index.js';
import { gatewayError } from '../errors.js';
import { limitError } from '../limits.js';
import type { Logger } from '../logging/logger.js';
import type { ConnectionContext } from './connection-context.js';
import type { Exchange } from './request-cycle.js';
import { announcedLength, checkContentLength, hasCrLf } from './response-head.js';
import type { ResponseTarget, WriteOutcome } from './uwsgi-response.js';
import { streamBody, writeCorked } from './write-batch.js';
import { guardWrites } from './write-guard.js';

/** A response still queued after its last write: socket-timeout on the peer reading it. */
function guardSocket(exchange: NodeHttpExchange, minBytes?: number): void {
  const { options, log } = exchange.context;
  guardWrites(exchange.req.socket, options, log, minBytes);
}

/** One request on node:http, as the request cycle sees it. */
export class NodeHttpExchange implements Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly context: ConnectionContext;
  readonly startedAt: number;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    context: ConnectionContext,
    startedAt: number,
  ) {
    this.req = req;
    this.res = res;
    this.context = context;
    this.startedAt = startedAt;
  }

  get codec(): typeof nodeHttpResponse {
    return nodeHttpResponse;
  }

  get closed(): boolean {
    return this.res.destroyed;
  }

  get remoteAddress(): string | undefined {
    return this.req.socket.remoteAddress;
  }

  write(bytes: Uint8Array): boolean {
    return this.res.write(bytes);
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    return writeCorked(this.res, chunks);
  }

  /** Resolves true on drain, false once the response is destroyed (peer gone, or stalled). */
  waitDrain(): Promise<boolean> {
    const { res } = this;
    if (res.destroyed) return Promise.resolve(false);
    guardSocket(this, 0);
    return new Promise<boolean>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve(!res.destroyed);
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }

  /** A refusal: its request's body may be unread, so the connection does not carry another. */
  closeAfterResponse(): void {
    this.res.shouldKeepAlive = false;
  }

  /** node:http reads the next request itself; a response cut short must close the connection. */
  responded(ok: boolean): void {
    if (!ok) this.res.destroy();
  }
}

/**
 * The request body as wsgi.input reads it: 413 once more than limit-post bytes arrived, and 408
 * when the peer sends nothing for socket-timeout while the app waits for it (the rest will never
 * be read, so the connection closes after the response).
 */
export async function* limitedBody(exchange: NodeHttpExchange): AsyncGenerator<Uint8Array> {
  const { req, res, context } = exchange;
  const { limitPost: limit, socketTimeout, socketTimeoutMs } = context.options;
  const chunks = (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let seen = 0;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        res.shouldKeepAlive = false;
        const error = limitError('bodyTimeout', socketTimeout);
        context.log.warn(error.message);
        reject(error);
      }, socketTimeoutMs);
    });
    let next: IteratorResult<Buffer>;
    try {
      next = await Promise.race([chunks.next(), stalled]);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_UWSGI_BODY_TIMEOUT') throw error;
      // node:http's "aborted": the client closed, or its parser refused what followed the body.
      throw gatewayError(
        'ERR_UWSGI_BODY_TRUNCATED',
        `the body ended early (${(error as Error).message})`,
        error,
      );
    } finally {
      clearTimeout(timer);
    }
    if (next.done) return;
    seen += next.value.length;
    if (limit > 0 && seen > limit) {
      throw limitError('limitPost', limit, `${seen} bytes received`);
    }
    yield next.value;
  }
}

/**
 * The flat header list for writeHead (with Content-Length when known). Throws a coded 500 for a
 * header with CR/LF or a Content-Length a peer would read differently (checkContentLength).
 */
function headerList(response: AppResponse, isHead: boolean): string[] {
  const headers: string[] = [];
  let declared: string | undefined;
  for (const [name, value] of response.headers) {
    if (hasCrLf(name) || hasCrLf(value)) {
      throw gatewayError('ERR_GATEWAY_HEADER_CRLF', `header ${JSON.stringify(name)}`);
    }
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      declared = checkContentLength(value, declared);
    }
    headers.push(name, value);
  }
  const length = announcedLength(response, isHead);
  if (length !== undefined && declared === undefined && !isNullBodyStatus(response.status)) {
    headers.push('Content-Length', String(length));
  }
  return headers;
}

/** writeHead and end with the whole body (none for HEAD and 204/304). */
function writeAll(
  exchange: NodeHttpExchange,
  response: AppResponse,
  headers: string[],
  noBody: boolean,
): WriteOutcome {
  const { res } = exchange;
  let bytes = 0;
  try {
    res.writeHead(response.status, response.reason, headers);
    if (noBody) {
      res.end();
    } else {
      const chunks = response.chunks;
      for (const chunk of chunks) bytes += chunk.length;
      res.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks as Uint8Array[]));
      guardSocket(exchange);
    }
  } catch (error) {
    // node refused a header (an invalid token, say): nothing coherent can follow on this socket.
    exchange.context.log.error(`response cut short: ${(error as Error)?.message ?? error}`);
    return { status: response.status, bytes, ok: false };
  }
  return { status: response.status, bytes, ok: true };
}

function whole(
  target: ResponseTarget,
  response: AppResponse,
  isHead: boolean,
): WriteOutcome | undefined {
  const bodyless = isHead || isNullBodyStatus(response.status);
  if (!response.complete && !bodyless) return undefined;
  let headers: string[];
  try {
    headers = headerList(response, isHead);
  } catch {
    return undefined; // stream() answers the 500 and logs it
  }
  return writeAll(target as NodeHttpExchange, response, headers, bodyless);
}

async function stream(
  target: ResponseTarget,
  response: AppResponse,
  isHead: boolean,
  log: Logger,
): Promise<WriteOutcome> {
  const exchange = target as NodeHttpExchange;
  let headers: string[];
  try {
    headers = headerList(response, isHead);
  } catch (error) {
    // A header that would split the response, or a Content-Length a peer would frame apart.
    log.error((error as Error).message);
    await response.close();
    response = errorResponse(error);
    headers = headerList(response, isHead);
  }
  const bodyless = isHead || isNullBodyStatus(response.status);
  if (response.complete || bodyless) {
    const written = writeAll(exchange, response, headers, bodyless);
    await response.close();
    return written;
  }
  const { res } = exchange;
  try {
    res.writeHead(response.status, response.reason, headers);
  } catch (error) {
    log.error(`response cut short: ${(error as Error)?.message ?? error}`);
    await response.close();
    return { status: response.status, bytes: 0, ok: false };
  }
  // node:http sends the head with the first chunk and frames them (chunked without a length).
  const written = await streamBody(exchange, response, undefined);
  if (!written.ok) return written;
  res.end();
  guardSocket(exchange);
  // Destroyed before node took the last bytes: the peer went away.
  return res.destroyed && !res.writableFinished ? { ...written, ok: false } : written;
}

/** node:http's response side, as request-cycle.ts's ResponseCodec. */
export const nodeHttpResponse = { whole, stream } as const;
