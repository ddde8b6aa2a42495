/**
 * Every request limit and timeout of the gateway, in one table: the option that sets it, the
 * error code and HTTP status it ends a request with, and the paths that enforce it. Every path
 * refuses or times out through limitError(), so a limit reads the same in the log whatever the
 * transport: `ERR_CODE: what happened: detail, VALUE UNIT (option)`. docs/limits.md is generated
 * from this table, and test/gateway/limits.test.ts walks it against every path.
 */
import type { TsgiError } from '../src/index.js';
import { type GATEWAY_ERRORS, gatewayError } from './errors.js';

/**
 * The ways a request reaches the gateway: uwsgi read on a raw libuv handle or a net.Socket
 * (--disable-fast-transport, or a connection handed over), HTTP on a raw handle or node:http
 * (TLS, upgrades, hand-overs, --disable-fast-transport).
 */
export type RequestPath = 'uwsgi raw handle' | 'uwsgi net.Socket' | 'HTTP raw handle' | 'node:http';

export const UWSGI_PATHS: readonly RequestPath[] = ['uwsgi raw handle', 'uwsgi net.Socket'];
export const HTTP_PATHS: readonly RequestPath[] = ['HTTP raw handle', 'node:http'];
export const ALL_PATHS: readonly RequestPath[] = [...UWSGI_PATHS, ...HTTP_PATHS];

/** The option values a limit's log line shows (ResolvedServerOptions has them all). */
export interface LimitValues {
  readonly bufferSize: number;
  readonly limitPost: number;
  readonly socketTimeout: number;
  readonly maxVars: number;
}

export interface LimitSpec {
  /** The option that sets it, as in uWSGI. */
  readonly option: string;
  /** Where its value is (ResolvedServerOptions), and the unit the log line shows it in. */
  readonly key: keyof LimitValues;
  readonly unit: 'bytes' | 's' | 'vars';
  /** What it bounds, for docs/limits.md. */
  readonly bounds: string;
  /** The error it ends a request or connection with. */
  readonly code: keyof typeof GATEWAY_ERRORS;
  /** Where it is enforced. */
  readonly paths: readonly RequestPath[];
  /** What the client gets, for docs/limits.md (the status comes from the error table). */
  readonly answer: string;
}

export const LIMITS = {
  uwsgiVarsSize: {
    option: 'buffer-size',
    key: 'bufferSize',
    unit: 'bytes',
    bounds: 'the uwsgi vars block (request line and headers, as nginx sends them)',
    code: 'ERR_UWSGI_BLOCK_TOO_LARGE',
    paths: UWSGI_PATHS,
    answer: '431, connection closed',
  },
  httpHeadSize: {
    option: 'buffer-size',
    key: 'bufferSize',
    unit: 'bytes',
    bounds: 'the HTTP request line and headers',
    code: 'ERR_HTTP_HEAD_TOO_LARGE',
    paths: HTTP_PATHS,
    answer: '431, connection closed',
  },
  maxVars: {
    option: 'max-vars',
    key: 'maxVars',
    unit: 'vars',
    bounds: 'the number of uwsgi vars in a request',
    code: 'ERR_UWSGI_TOO_MANY_VARS',
    paths: UWSGI_PATHS,
    answer: '431, connection closed',
  },
  limitPost: {
    option: 'limit-post',
    key: 'limitPost',
    unit: 'bytes',
    bounds:
      'the request body: a declared length at once, before the app runs; a chunked body as it arrives',
    code: 'ERR_UWSGI_BODY_TOO_LARGE',
    paths: ALL_PATHS,
    answer: '413 (the app does not run when the length is declared)',
  },
  uwsgiVarsTimeout: {
    option: 'socket-timeout',
    key: 'socketTimeout',
    unit: 's',
    bounds: 'the time between two reads of a uwsgi packet that has begun',
    code: 'ERR_UWSGI_VARS_TIMEOUT',
    paths: UWSGI_PATHS,
    answer: '408, connection closed',
  },
  httpHeadTimeout: {
    option: 'socket-timeout',
    key: 'socketTimeout',
    unit: 's',
    bounds: 'the time to receive an HTTP request head that has begun',
    code: 'ERR_HTTP_HEAD_TIMEOUT',
    paths: HTTP_PATHS,
    answer: '408, connection closed',
  },
  bodyTimeout: {
    option: 'socket-timeout',
    key: 'socketTimeout',
    unit: 's',
    bounds: 'the time between two reads of a request body the app waits for',
    code: 'ERR_UWSGI_BODY_TIMEOUT',
    paths: ALL_PATHS,
    answer: "the app's read fails (its 500, or its own answer)",
  },
  writeTimeout: {
    option: 'socket-timeout',
    key: 'socketTimeout',
    unit: 's',
    bounds:
      'the time between two writes that progress, as nginx send_timeout: a slow but steady reader gets the whole response, one that stops reading is cut',
    code: 'ERR_GATEWAY_WRITE_TIMEOUT',
    paths: ALL_PATHS,
    answer: 'connection closed, its buffers freed',
  },
} as const satisfies Record<string, LimitSpec>;

export type LimitName = keyof typeof LIMITS;

/** The end of a limit's log line: `VALUE UNIT (option)`, `value` the option's value in force. */
export function limitSetting(name: LimitName, value: number): string {
  const spec: LimitSpec = LIMITS[name];
  return `${value} ${spec.unit} (${spec.option})`;
}

/**
 * The error a path refuses or times out with when a limit is reached: its code and status from
 * the error table, its message `detail, VALUE UNIT (option)`, the same on every path. `value` is
 * the option's value in force (the spec's `key` of the resolved options).
 */
export function limitError(name: LimitName, value: number, detail?: string): TsgiError {
  const setting = limitSetting(name, value);
  return gatewayError(LIMITS[name].code, detail ? `${detail}, ${setting}` : setting);
}

/** The message of limitError, for a path that logs and closes rather than throwing. */
export function limitMessage(name: LimitName, value: number, detail?: string): string {
  return limitError(name, value, detail).message;
}
