/**
 * @module tsgi
 * TSGI: PEP 3333 for TypeScript. The interface, the Fetch bridges and the building blocks that
 * every platform adapter and the gateway share. Runs anywhere Web APIs exist (no Node imports).
 */

export type { AppResponse, RunOptions } from './app-response.js';
// Building blocks for adapters and servers
export { errorResponse } from './app-response.js';
export type { RequestEnvironOptions } from './environ.js';
export {
  addHeader,
  environFromRequest,
  headerKey,
  isUnderscoredHeaderName,
  splitScriptName,
  WSGI_VERSION,
} from './environ.js';
export { abortRequest, EnvironRequest, environRequest } from './environ-request.js';
export type { CoreErrorCode, ErrorMessages, ErrorSpec, ErrorTable } from './errors.js';
// Errors
export {
  CORE_ERRORS,
  coreError,
  createError,
  errorFactory,
  statusOf,
  TsgiError,
} from './errors.js';
export type { ErrorSink } from './errors-stream.js';
export { createErrors } from './errors-stream.js';
export {
  addWaitUntil,
  backgroundFailure,
  PendingWork,
  platformWaitUntil,
  STATE_KEY,
  Startup,
  WAIT_UNTIL_KEY,
  WEBSOCKET_KEY,
} from './extensions.js';
export type { AnyFetchHandler, FromFetchOptions } from './from-fetch.js';
export { fromFetch, requestFromEnviron, requestUrl } from './from-fetch.js';
export type { ChunkSource, InputSource } from './input.js';
export { createInput } from './input.js';
export {
  bytesToLatin1,
  isLatin1,
  latin1ToBytes,
  latin1ToUtf8,
  percentDecodeToLatin1,
  percentEncodeLatin1Path,
  utf8ToLatin1,
} from './latin1.js';
export { MessageQueue } from './message-queue.js';
export type { TimingOptions } from './middleware/timing.js';
// Middleware
export { timing } from './middleware/timing.js';
export type { UrlMapOptions } from './middleware/url-map.js';
export { shiftPathInfo, urlMap } from './middleware/url-map.js';
export type { ResponseParts } from './response-source.js';
export { RESPONSE_PARTS, responseParts } from './response-source.js';
export { runApp, startApp } from './run-app.js';
export { checkHeaders, HOP_BY_HOP, parseStatus, ResponseState } from './start-response.js';
export { isNullBodyStatus, REASONS, statusLine } from './status.js';
export type { FetchHandler, ToFetchOptions } from './to-fetch.js';
// Fetch bridges
export { toFetch, toResponse } from './to-fetch.js';
// The interface
export type {
  App,
  BodyChunk,
  Environ,
  ErrorStream,
  Header,
  HeaderList,
  InputStream,
  LifespanHooks,
  Middleware,
  ResponseBody,
  StartResponse,
  TsgiWebSocket,
  WaitUntil,
  WebSocketAcceptOptions,
  WebSocketClose,
  WebSocketUpgrade,
  Write,
} from './types.js';
export type { ValidatorError, ValidatorRule } from './validator.js';
// Conformance
export { VALIDATOR_RULES, validator } from './validator.js';
export { whenReady } from './when-ready.js';
