/**
 * Error codes of the gateway (uwsgi codec, sockets, CLI). Each entry names the option that sets
 * the limit it enforces, so a log line built from it tells the operator what to change.
 */
import { type ErrorTable, errorFactory } from '../src/errors.js';

/** The gateway's error table (`ERR_UWSGI_*`, `ERR_GATEWAY_*`), listed in docs/errors.md. */
export const GATEWAY_ERRORS = {
  ERR_UWSGI_ZERO_LENGTH_KEY: {
    status: 400,
    message: 'the uwsgi vars block has a var with a zero-length key',
    fix: 'The peer is not a well-behaved uwsgi client; every key must have at least one byte.',
  },
  ERR_UWSGI_VARS_OVERRUN: {
    status: 400,
    message: 'a key or value length in the uwsgi vars block runs past the end of the block',
    fix: 'The peer sent a corrupt packet (or plain HTTP to a uwsgi socket: use --http-socket for that).',
  },
  ERR_UWSGI_TRAILING_BYTES: {
    status: 400,
    message: 'the uwsgi vars block ends with bytes that do not form a whole key/value pair',
    fix: 'Check for `uwsgi_string` in the nginx config: it appends raw bytes inside the vars block.',
  },
  ERR_UWSGI_TOO_MANY_VARS: {
    status: 431,
    message: 'the uwsgi vars block has more vars than max-vars allows',
    fix: 'Raise --max-vars, or send fewer request headers.',
  },
  ERR_UWSGI_BLOCK_TOO_LARGE: {
    status: 431,
    message: 'the uwsgi vars block is larger than buffer-size',
    fix: 'Raise --buffer-size (up to 65535, the protocol maximum), or send smaller headers/cookies.',
  },
  ERR_UWSGI_TRUNCATED: {
    status: 400,
    message: 'the connection ended before the uwsgi packet was complete',
    fix: 'The peer closed early or sent a datasize larger than what followed.',
  },
  ERR_UWSGI_VARS_TIMEOUT: {
    status: 408,
    message: 'no complete uwsgi packet arrived within socket-timeout',
    fix: 'Raise --socket-timeout if the peer is slow, or find why it stalls mid-packet.',
  },
  ERR_UWSGI_BAD_CONTENT_LENGTH: {
    status: 400,
    message: 'CONTENT_LENGTH is not a decimal number',
    fix: 'The peer must send CONTENT_LENGTH as digits only (or empty for no body).',
  },
  ERR_UWSGI_MISSING_VAR: {
    status: 400,
    message: 'the uwsgi packet lacks a var every request needs',
    fix: 'Add `include uwsgi_params;` next to uwsgi_pass in the nginx config.',
  },
  ERR_UWSGI_BODY_TOO_LARGE: {
    status: 413,
    message: 'the request body is larger than limit-post',
    fix: 'Raise --limit-post (0 = no limit), or send a smaller body.',
  },
  ERR_UWSGI_BODY_TIMEOUT: {
    status: 408,
    message: 'the request body did not arrive within socket-timeout',
    fix: 'Raise --socket-timeout if clients upload slowly.',
  },
  ERR_UWSGI_BODY_TRUNCATED: {
    status: 400,
    message: 'the connection ended before CONTENT_LENGTH body bytes arrived',
    fix: 'The peer closed the connection mid-body.',
  },
  ERR_UWSGI_UNKNOWN_MODIFIER: {
    message: 'the uwsgi packet has a modifier1 this gateway does not serve; connection closed',
    fix: 'Use uwsgi_modifier1 0 in nginx, or add the modifier to --modifier1 (allow-list).',
  },
  ERR_UWSGI_PLAIN_HTTP: {
    status: 400,
    message: 'plain HTTP was sent to a uwsgi socket',
    fix: 'Point HTTP clients at --http-socket/--http; point nginx uwsgi_pass at --socket.',
  },
  ERR_GATEWAY_HEADER_CRLF: {
    status: 500,
    message: 'the response has a header name or value with CR or LF; it was not written',
    fix: 'Strip CR/LF from header values (they would split the response).',
  },
  ERR_GATEWAY_BAD_CONTENT_LENGTH: {
    status: 500,
    message:
      'the response has a Content-Length that is not one decimal number, or two that differ, or one that does not match the body; it was not sent',
    fix: 'Set Content-Length once, as digits, equal to the body length (or leave it out).',
  },
  ERR_HTTP_DUPLICATE_HOST: {
    status: 400,
    message: 'the request has more than one Host header',
    fix: 'A client must send Host once (RFC 9112 section 3.2); nginx answers 400 too.',
  },
  ERR_HTTP_MISSING_HOST: {
    status: 400,
    message: 'the HTTP/1.1 request has no Host header',
    fix: 'An HTTP/1.1 client must send Host (RFC 9112 section 3.2); nginx answers 400 too.',
  },
  ERR_HTTP_BAD_HOST: {
    status: 400,
    message: 'the request has a Host that is not host[:port]',
    fix: 'Send a host name or IP literal, optionally a colon and a port (RFC 9110 section 7.2); nginx answers 400 too.',
  },
  ERR_HTTP_BAD_TARGET: {
    status: 400,
    message: 'the absolute-form request target is not an http(s) URI with a host',
    fix: 'Send `GET /path HTTP/1.1` with a Host header, or `GET http://host/path HTTP/1.1`.',
  },
  ERR_HTTP_MALFORMED: {
    status: 400,
    message: 'the request is not valid HTTP/1.1 (request line, header syntax or body framing)',
    fix: 'The client or proxy sent bytes a strict HTTP/1.1 parser refuses (e.g. a bare LF, obs-fold, two Content-Length headers).',
  },
  ERR_HTTP_HEAD_TOO_LARGE: {
    status: 431,
    message:
      'the request target and headers count more than buffer-size (the target and every header name and value)',
    fix: 'Raise --buffer-size, or send smaller headers/cookies.',
  },
  ERR_HTTP_HEAD_TIMEOUT: {
    status: 408,
    message: 'the HTTP request head did not arrive within socket-timeout',
    fix: 'Raise --socket-timeout if clients are slow, or find why they stall mid-head.',
  },
  ERR_GATEWAY_WRITE_TIMEOUT: {
    message: 'the peer did not accept response bytes within socket-timeout; connection closed',
    fix: 'Raise --socket-timeout, or check the proxy in front of the gateway.',
  },
  ERR_GATEWAY_BAD_ADDRESS: {
    message: 'a socket address is not host:port, :port or a unix socket path',
    fix: 'Write 127.0.0.1:3031, [::1]:3031, :3031 or /run/app.sock.',
  },
  ERR_GATEWAY_BAD_SSL_SOCKET: {
    message: '--ssl-socket is not ADDR,CERT,KEY',
    fix: 'Write --ssl-socket 127.0.0.1:3031,/path/cert.pem,/path/key.pem.',
  },
  ERR_GATEWAY_BIND_FAILED: {
    message: 'a socket could not be bound',
    fix: 'See the cause: the address may be in use, or a unix path not writable.',
  },
  ERR_GATEWAY_NO_SOCKET: {
    message: 'no socket to serve on',
    fix: 'Pass at least one of --socket, --ssl-socket, --http-socket or --http, or start under systemd socket activation.',
  },
  ERR_GATEWAY_ACTIVATION: {
    message: 'the sockets passed by systemd socket activation (LISTEN_FDS) cannot be used',
    fix: 'Check the .socket unit: LISTEN_FDS must count listening sockets passed from fd 3 on (ListenStream=, Accept=no).',
  },
  ERR_GATEWAY_APP_LOAD: {
    message: 'the app module could not be loaded',
    fix: 'Check the path in APP (path/to/module[:export]) and the cause below.',
  },
  ERR_GATEWAY_APP_EXPORT: {
    message: 'the app module has no such export, or it is not a function',
    fix: 'APP is path/to/module[:export]; the export (default: `default`) must be an app function or a Hono app. The message lists the exports that could be.',
  },
  ERR_GATEWAY_APP_TYPESCRIPT: {
    message: 'a TypeScript app needs tsx or Node with type stripping',
    fix: 'Run `npm i -D tsx` in the project (tsgi uses it when present), or use Node ≥ 22.18; or compile to .js first.',
  },
  ERR_GATEWAY_APP_STARTUP: {
    message: "the app module's startup hook failed, so the worker did not start serving",
    fix: 'See the cause: startup() runs once per worker before it accepts; fix what it needs (a database, a file) and start again.',
  },
} as const satisfies ErrorTable;

/** The codes of the gateway's errors. */
export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/** Builds a TsgiError from the gateway's table. */
export const gatewayError = errorFactory(GATEWAY_ERRORS);
