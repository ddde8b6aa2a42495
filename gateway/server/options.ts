/**
 * What one serving process needs to know. The CLI fills this from the config loader
 * (gateway/config/); programmatic users pass it to serve(). A value left out takes the option
 * table's default, so the two never disagree.
 */
import { OPTIONS } from '../config/options.js';
import { MAX_DATASIZE } from '../uwsgi/packet.js';
import type { InheritedSocket } from './socket-activation.js';

/** What one serving process needs to know; every field is optional (see the top of this file). */
export interface ServerOptions {
  /** uwsgi sockets: `host:port`, `:port` or a unix path (`--socket`, repeatable). */
  socket?: string[];
  /** uwsgi over TLS: `ADDR,CERT,KEY` (`--ssl-socket`, repeatable). */
  sslSocket?: string[];
  /** HTTP/1.1 sockets (`--http-socket` and `--http`, repeatable). */
  httpSocket?: string[];
  http?: string[];
  /** Largest uwsgi vars block / HTTP header block, bytes (`--buffer-size`). Default 65535. */
  bufferSize?: number;
  /** Largest request body, bytes; 0 = no limit (`--limit-post`). */
  limitPost?: number;
  /** Seconds to wait for vars, body bytes or a blocked write (`--socket-timeout`). Default 30. */
  socketTimeout?: number;
  /** Seconds an idle keep-alive connection on an HTTP socket is kept (`--http-keepalive`); 0 = no keep-alive. Default 5. */
  httpKeepalive?: number;
  /** Mode for unix sockets: octal digits such as `'660'`, or a number such as `0o660` (`--chmod-socket`). */
  chmodSocket?: string | number | boolean;
  /** Listen backlog (`--listen`). Default 1024. */
  listen?: number;
  /** No request log lines (`--disable-logging`). */
  disableLogging?: boolean;
  /** Most vars in one uwsgi packet. Default 1000. */
  maxVars?: number;
  /** modifier1 values served as HTTP requests besides 0. */
  modifier1?: number[];
  /** Largest incoming WebSocket message, KB (`--websockets-max-size`). Default 1024. */
  websocketsMaxSize?: number;
  /** Seconds between WebSocket pings; 0 = none (`--websockets-ping-freq`). Default 30. */
  websocketsPingFreq?: number;
  /** Seconds a ping may go unanswered (`--websockets-pong-tolerance`). Default 3. */
  websocketsPongTolerance?: number;
  /** Reported as wsgi.multiprocess (true under the master). */
  multiprocess?: boolean;
  /** Most open connections (`--worker-connections`); 0 = the open-files limit less 64. */
  workerConnections?: number;
  /** Listening sockets passed by systemd socket activation (see socket-activation.ts). */
  inherited?: InheritedSocket[];
  /** Serve every uwsgi connection as a net.Socket (`--disable-fast-transport`). */
  disableFastTransport?: boolean;
  /** Peers whose X-Forwarded-For/-Proto are honoured on HTTP sockets; `*` = any (`--forwarded-allow-ips`). */
  forwardedAllowIps?: string[];
}

/** ServerOptions with every default filled in. */
export interface ResolvedServerOptions {
  readonly socket: readonly string[];
  readonly sslSocket: readonly string[];
  readonly httpSocket: readonly string[];
  readonly bufferSize: number;
  readonly limitPost: number;
  /** Milliseconds. */
  readonly socketTimeoutMs: number;
  readonly socketTimeout: number;
  /** Milliseconds an idle HTTP keep-alive connection is kept; 0 = close after each response. */
  readonly httpKeepaliveMs: number;
  readonly httpKeepalive: number;
  readonly chmodSocket: number | undefined;
  readonly listen: number;
  readonly disableLogging: boolean;
  readonly maxVars: number;
  /** modifier1 values served as HTTP (always includes 0). */
  readonly httpModifiers: ReadonlySet<number>;
  readonly multiprocess: boolean;
  readonly workerConnections: number;
  readonly inherited: readonly InheritedSocket[];
  readonly disableFastTransport: boolean;
  /** Empty: proxy headers are ignored. */
  readonly forwardedAllowIps: ReadonlySet<string>;
}

/** `--chmod-socket` with no value means 666, as in uWSGI; a string is octal digits, a number a mode. */
export function parseSocketMode(mode: string | number | boolean | undefined): number | undefined {
  if (mode === undefined || mode === false) return undefined;
  if (mode === true || mode === '') return 0o666;
  if (typeof mode === 'number') return mode; // Already a mode (the config loader parses octal).
  const text = String(mode);
  if (!/^[0-7]{3,4}$/.test(text))
    throw new RangeError(`--chmod-socket: ${text} is not an octal mode such as 660`);
  return Number.parseInt(text, 8);
}

/** Fills in the defaults of ServerOptions (buffer-size, limits, timeouts) and checks them. */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  const bufferSize = options.bufferSize ?? OPTIONS.bufferSize.default;
  const socketTimeout = options.socketTimeout ?? OPTIONS.socketTimeout.default;
  const httpKeepalive = options.httpKeepalive ?? OPTIONS.httpKeepalive.default;
  return {
    socket: options.socket ?? [],
    sslSocket: options.sslSocket ?? [],
    httpSocket: [...(options.httpSocket ?? []), ...(options.http ?? [])],
    bufferSize: Math.min(Math.max(1, bufferSize), MAX_DATASIZE),
    limitPost: options.limitPost ?? OPTIONS.limitPost.default,
    socketTimeout,
    socketTimeoutMs: Math.max(1, Math.round(socketTimeout * 1000)),
    httpKeepalive,
    httpKeepaliveMs: Math.max(0, Math.round(httpKeepalive * 1000)),
    chmodSocket: parseSocketMode(options.chmodSocket),
    listen: options.listen ?? OPTIONS.listen.default,
    disableLogging: options.disableLogging ?? OPTIONS.disableLogging.default,
    maxVars: options.maxVars ?? OPTIONS.maxVars.default,
    httpModifiers: new Set([0, ...(options.modifier1 ?? [])]),
    multiprocess: options.multiprocess ?? false,
    workerConnections: options.workerConnections ?? OPTIONS.workerConnections.default,
    inherited: options.inherited ?? [],
    disableFastTransport: options.disableFastTransport ?? false,
    forwardedAllowIps: new Set((options.forwardedAllowIps ?? []).filter((ip) => ip !== '')),
  };
}
