/**
 * The HTTP/1.1 request head: bytes in, a request line and header list out. No I/O.
 *
 * What it accepts is deliberately narrower than llhttp's strict mode (node:http's parser), so a
 * request it takes is read the same way by every strict parser in front of or behind us: CRLF
 * only, no obs-fold, no whitespace before a colon, ASCII only, origin-form targets, the common
 * methods, one Content-Length of digits, `Transfer-Encoding: chunked` alone and never with a
 * Content-Length. Anything else is either an error (bytes no strict parser may take) or
 * `unsupported` (valid, but for a fuller parser to read: the caller hands the connection over).
 */
import { gatewayError } from '../errors.js';
import { limitError } from '../limits.js';

export type Latin1Decoder = (bytes: Uint8Array, start: number, end: number) => string;

export interface HeadLimits {
  /**
   * buffer-size: most bytes of a head counted as node:http counts its maxHeaderSize, so both
   * HTTP paths refuse the same heads: the target and every header name and value (with any
   * whitespace after it); not the method, the version, colons, the whitespace before a value or
   * line ends.
   */
  readonly maxHeadBytes: number;
  /** Most header lines. */
  readonly maxHeaders: number;
}

export interface RequestHead {
  readonly method: string;
  /** The origin-form target as sent (`/path?query`). */
  readonly target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: 0 | 1;
  /** Names and values as sent, alternating (values without surrounding whitespace). */
  readonly headers: string[];
  /** The Content-Length, or -1 when there is none. */
  readonly contentLength: number;
  readonly chunked: boolean;
  /** The connection stays open after the response (HTTP/1.1 unless `close`; 1.0 if asked). */
  readonly keepAlive: boolean;
  readonly expectContinue: boolean;
  /** An `Upgrade` header or `Connection: upgrade` was sent. */
  readonly upgrade: boolean;
  readonly hosts: number;
}

export type HeadResult =
  | {
      readonly kind: 'request';
      readonly head: RequestHead /** Offset past the blank line. */;
      readonly end: number;
    }
  | { readonly kind: 'incomplete' }
  /** Valid HTTP this codec leaves to a fuller parser; `why` says what. */
  | { readonly kind: 'unsupported'; readonly why: string }
  | { readonly kind: 'error'; readonly error: Error & { code: string; status?: number } };

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;

/** tchar (RFC 9110 5.6.2). */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/** Target bytes taken: visible ASCII but `#` (a fragment never goes on the wire). */
const TARGET = new Uint8Array(256);
for (let c = 0x21; c <= 0x7e; c++) TARGET[c] = 1;
TARGET[0x23] = 0;

/** Field value bytes taken: visible ASCII, SP and HTAB (no obs-text, no controls). */
const VALUE = new Uint8Array(256);
for (let c = 0x20; c <= 0x7e; c++) VALUE[c] = 1;
VALUE[HTAB] = 1;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];

const INCOMPLETE: HeadResult = { kind: 'incomplete' };

function malformed(what: string): HeadResult {
  return { kind: 'error', error: gatewayError('ERR_HTTP_MALFORMED', what) };
}

function tooLarge(max: number): HeadResult {
  return { kind: 'error', error: limitError('httpHeadSize', max) };
}

function unsupported(why: string): HeadResult {
  return { kind: 'unsupported', why };
}

/** The method at bytes[start..end) as one of METHODS, or undefined. */
function methodOf(bytes: Uint8Array, start: number, end: number): string | undefined {
  const length = end - start;
  for (let m = 0; m < METHODS.length; m++) {
    const name = METHODS[m]!;
    if (name.length !== length) continue;
    let i = 0;
    while (i < length && name.charCodeAt(i) === bytes[start + i]) i++;
    if (i === length) return name;
  }
  return undefined;
}

/** ASCII case-insensitive compare of bytes[start..end) with a lower-case name. */
function nameIs(bytes: Uint8Array, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if ((bytes[start + i]! | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** The connection tokens that matter here, as bits. */
const CLOSE = 1;
const KEEP_ALIVE = 2;
const UPGRADE = 4;

function connectionTokens(value: string): number {
  let bits = 0;
  for (const raw of value.split(',')) {
    const token = raw.trim().toLowerCase();
    if (token === 'close') bits |= CLOSE;
    else if (token === 'keep-alive') bits |= KEEP_ALIVE;
    else if (token === 'upgrade') bits |= UPGRADE;
  }
  return bits;
}

const DIGITS = /^[0-9]{1,15}$/;

/**
 * Reads one request head from bytes[start..end). `decode` turns header bytes into a string
 * (latin-1; every byte taken is ASCII), `decodeName` may intern names.
 */
export function parseRequestHead(
  bytes: Uint8Array,
  start: number,
  end: number,
  limits: HeadLimits,
  decode: Latin1Decoder,
  decodeName: Latin1Decoder = decode,
): HeadResult {
  const max = limits.maxHeadBytes;
  // The wire bytes read for one head: what `max` counted bytes take with the uncounted parts
  // (request line, separators, a few bytes of padding per line). A longer head (whitespace
  // padding) is left to node:http, which counts it the same way.
  const limit = Math.min(end, start + max + 32 + 8 * limits.maxHeaders);
  const tooLong = end > limit;
  /** Bytes counted against `max` in the target and the header lines read whole. */
  let counted = 0;
  /** Where the counted span being read began (-1: none): a head cut there counts it so far. */
  let span = -1;
  const short = (at: number): HeadResult => {
    if (counted + (span === -1 ? 0 : at - span) > max) return tooLarge(max);
    return tooLong ? unsupported(`a head over ${limit - start} bytes`) : INCOMPLETE;
  };
  let i = start;
  // Method.
  while (i < limit && TCHAR[bytes[i]!]) i++;
  if (i >= limit) return short(i);
  if (bytes[i] !== SP || i === start) {
    return bytes[start] === CR || bytes[start] === LF
      ? unsupported('a blank line before the request line')
      : malformed('request line: method');
  }
  const method = methodOf(bytes, start, i);
  if (method === undefined)
    return unsupported('a method other than GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH');
  // Target.
  const targetStart = ++i;
  span = targetStart;
  while (i < limit && TARGET[bytes[i]!]) i++;
  if (i >= limit) return short(i);
  if (bytes[i] !== SP || i === targetStart) return malformed('request line: target');
  if (bytes[targetStart] !== 0x2f) return unsupported('a target not in origin form');
  const targetEnd = i++;
  span = -1;
  counted = targetEnd - targetStart;
  if (counted > max) return tooLarge(max);
  // Version: exactly `HTTP/1.1` or `HTTP/1.0`, then CRLF.
  if (limit - i < 10) return short(i);
  if (
    bytes[i] !== 0x48 ||
    bytes[i + 1] !== 0x54 ||
    bytes[i + 2] !== 0x54 ||
    bytes[i + 3] !== 0x50 ||
    bytes[i + 4] !== 0x2f ||
    bytes[i + 5] !== 0x31 ||
    bytes[i + 6] !== 0x2e ||
    (bytes[i + 7] !== 0x31 && bytes[i + 7] !== 0x30)
  ) {
    return malformed('request line: version');
  }
  const minor = bytes[i + 7] === 0x31 ? 1 : 0;
  if (bytes[i + 8] !== CR || bytes[i + 9] !== LF)
    return malformed('request line: not ended by CRLF');
  i += 10;
  const headers: string[] = [];
  let contentLength = -1;
  let chunked = false;
  let transferEncodings = 0;
  let connection = 0;
  let upgradeHeader = false;
  let expectContinue = false;
  let hosts = 0;
  for (;;) {
    if (i >= limit) return short(i);
    const first = bytes[i]!;
    if (first === CR) {
      if (i + 1 >= limit) return short(i);
      if (bytes[i + 1] !== LF) return malformed('a CR not followed by LF');
      i += 2;
      break;
    }
    if (first === SP || first === HTAB) return malformed('obs-fold (a header line continued)');
    // Name.
    const nameStart = i;
    span = nameStart;
    while (i < limit && TCHAR[bytes[i]!]) i++;
    if (i >= limit) return short(i);
    if (bytes[i] !== COLON || i === nameStart) return malformed('header name');
    const nameEnd = i++;
    counted += nameEnd - nameStart;
    span = -1;
    // Value, without the whitespace around it.
    while (i < limit && (bytes[i] === SP || bytes[i] === HTAB)) i++;
    const valueStart = i;
    span = valueStart;
    while (i < limit && VALUE[bytes[i]!]) i++;
    if (i + 1 >= limit) return short(i);
    if (bytes[i] !== CR) {
      return bytes[i]! >= 0x80
        ? unsupported('a header value with bytes above 0x7f')
        : malformed('a header value with a control byte or a bare LF');
    }
    if (bytes[i + 1] !== LF) return malformed('a CR not followed by LF');
    counted += i - valueStart; // trailing whitespace included, as node:http counts it
    span = -1;
    if (counted > max) return tooLarge(max);
    let valueEnd = i;
    while (valueEnd > valueStart && (bytes[valueEnd - 1] === SP || bytes[valueEnd - 1] === HTAB)) {
      valueEnd--;
    }
    i += 2;
    if (headers.length >= limits.maxHeaders * 2) {
      return unsupported(`more than ${limits.maxHeaders} header lines`);
    }
    const name = decodeName(bytes, nameStart, nameEnd);
    const value = decode(bytes, valueStart, valueEnd);
    headers.push(name, value);
    switch (nameEnd - nameStart) {
      case 4:
        if (nameIs(bytes, nameStart, nameEnd, 'host')) hosts++;
        break;
      case 6:
        if (nameIs(bytes, nameStart, nameEnd, 'expect')) {
          if (value.toLowerCase() !== '100-continue')
            return unsupported('an Expect other than 100-continue');
          expectContinue = true;
        }
        break;
      case 7:
        if (nameIs(bytes, nameStart, nameEnd, 'upgrade')) upgradeHeader = true;
        break;
      case 10:
        if (nameIs(bytes, nameStart, nameEnd, 'connection')) connection |= connectionTokens(value);
        break;
      case 14:
        if (nameIs(bytes, nameStart, nameEnd, 'content-length')) {
          if (contentLength !== -1) return malformed('more than one Content-Length');
          if (!DIGITS.test(value)) return malformed('Content-Length is not a decimal number');
          // llhttp reads the length itself and refuses a tab around it: only spaces before.
          if (valueEnd !== i - 2 || bytes[valueStart - 1] === HTAB) {
            return unsupported('whitespace other than spaces before a Content-Length');
          }
          contentLength = Number(value);
        }
        break;
      case 17:
        if (nameIs(bytes, nameStart, nameEnd, 'transfer-encoding')) {
          transferEncodings++;
          if (value.toLowerCase() !== 'chunked')
            return unsupported('a Transfer-Encoding other than chunked');
          chunked = true;
        }
        break;
    }
  }
  if (chunked && contentLength !== -1) return malformed('Content-Length with Transfer-Encoding');
  if (transferEncodings > 1) return unsupported('Transfer-Encoding sent more than once');
  const keepAlive = minor === 1 ? (connection & CLOSE) === 0 : (connection & KEEP_ALIVE) !== 0;
  return {
    kind: 'request',
    end: i,
    head: {
      method,
      target: decode(bytes, targetStart, targetEnd),
      minor,
      headers,
      contentLength,
      chunked,
      keepAlive,
      expectContinue,
      upgrade: upgradeHeader || (connection & UPGRADE) !== 0,
      hosts,
    },
  };
}
