/**
 * The HTTP/1.1 codec: bytes in, values out (request heads, chunked bodies, response heads). No
 * I/O. Its accept set is a subset of llhttp's strict mode (test/gateway/http/differential.test.ts).
 * @module
 */
export { ChunkedDecoder, type ChunkedResult } from './chunked.js';
export {
  type HeadLimits,
  type HeadResult,
  type Latin1Decoder,
  parseRequestHead,
  type RequestHead,
} from './request-head.js';
export {
  type HeadOptions,
  httpDate,
  type ResponseHead,
  serializeResponseHead,
} from './response-head.js';
