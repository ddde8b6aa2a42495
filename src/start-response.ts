/**
 * The startResponse state machine (PEP 3333 "The start_response() Callable"): validates status and
 * headers when called, lets the app change its mind only with excInfo, and rethrows excInfo once the
 * headers are on their way.
 */
import { coreError } from './errors.js';
import { isLatin1 } from './latin1.js';
import type { HeaderList, Write } from './types.js';

const STATUS_RE = /^([1-9]\d\d)(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?$/;
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Controls other than HTAB would let a value split or corrupt the response head.
const BAD_VALUE_RE = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Headers only the server may set (RFC 9110 §7.6.1 and PEP 3333 "Other HTTP Features"). */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

export interface ParsedStatus {
  status: number;
  reason: string;
}

export function parseStatus(status: unknown): ParsedStatus {
  if (typeof status !== 'string') throw coreError('ERR_TSGI_STATUS_INVALID', String(status));
  const m = STATUS_RE.exec(status);
  if (!m || !isLatin1(status)) throw coreError('ERR_TSGI_STATUS_INVALID', JSON.stringify(status));
  return { status: Number(m[1]), reason: m[2] ?? '' };
}

export function checkHeaders(headers: unknown): HeaderList {
  if (!Array.isArray(headers)) {
    throw coreError('ERR_TSGI_HEADER_INVALID', 'headers must be an array of [name, value] pairs');
  }
  for (const h of headers) {
    if (
      !Array.isArray(h) ||
      h.length !== 2 ||
      typeof h[0] !== 'string' ||
      typeof h[1] !== 'string'
    ) {
      throw coreError(
        'ERR_TSGI_HEADER_INVALID',
        `not a [name, value] pair of strings: ${String(h)}`,
      );
    }
    const [name, value] = h as [string, string];
    if (!TOKEN_RE.test(name))
      throw coreError('ERR_TSGI_HEADER_INVALID', `name ${JSON.stringify(name)}`);
    if (BAD_VALUE_RE.test(value) || !isLatin1(value)) {
      throw coreError(
        'ERR_TSGI_HEADER_INVALID',
        `value of ${name} ${JSON.stringify(value)} (control character or char above U+00FF; encode with utf8ToLatin1)`,
      );
    }
    if (HOP_BY_HOP.has(name.toLowerCase())) throw coreError('ERR_TSGI_HOP_BY_HOP_HEADER', name);
  }
  return headers as HeaderList;
}

/** Holds what startResponse was given; `sent` flips when the transport commits the headers. */
export class ResponseState {
  status = 0;
  reason = '';
  headers: HeaderList = [];
  started = false;
  sent = false;
  readonly write: Write;
  /** The startResponse the app gets, bound to this state. */
  readonly startResponse: (status: string, headers: HeaderList, excInfo?: unknown) => Write;

  constructor(write: Write) {
    this.write = write;
    // Assigned here rather than as a class-field arrow: bundlers' keep-names wrap those per call.
    this.startResponse = (status, headers, excInfo) => this.start(status, headers, excInfo);
  }

  start(status: string, headers: HeaderList, excInfo?: unknown): Write {
    if (excInfo !== undefined && excInfo !== null) {
      // PEP 3333: once headers are sent, the app's error can only propagate.
      if (this.sent) throw excInfo;
    } else if (this.started) {
      throw coreError('ERR_TSGI_START_RESPONSE_TWICE');
    }
    const parsed = parseStatus(status);
    this.headers = checkHeaders(headers);
    this.status = parsed.status;
    this.reason = parsed.reason;
    this.started = true;
    return this.write;
  }
}
