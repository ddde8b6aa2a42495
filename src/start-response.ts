/**
 * The startResponse state machine (PEP 3333 "The start_response() Callable"): validates status and
 * headers when called, lets the app change its mind only with excInfo, and rethrows excInfo once the
 * headers are on their way.
 */
import { coreError } from './errors.js';
import type { HeaderList, Write } from './types.js';

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

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

// Apps send the same few statuses and header names over and over: remember the ones already
// checked (bounded, so hostile variety cannot grow them without limit).
const CACHE_LIMIT = 256;
const statusCache = new Map<string, ParsedStatus>();
/** Header name → true when it is hop-by-hop, false when it is a valid ordinary name. */
const nameCache = new Map<string, boolean>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/** True when `text` has a control char other than HTAB, or a char above U+00FF. */
function hasBadChar(text: string, from = 0): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Controls other than HTAB would let a value split or corrupt the response head.
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) return true;
  }
  return false;
}

/** Three digits, 200–599, then the end or a space before the reason. */
const STATUS_SHAPE = /^[2-5][0-9][0-9](?: |$)/;

/**
 * `'NNN Reason'` (or `'NNN'`): a final status 200–599, a space, a reason without controls. A 1xx is
 * interim: a client would read the next response as this request's answer; RFC 9110 defines no
 * class above 5xx, and proxies and clients treat 600–999 differently (nginx passes them, others fail).
 */
export function parseStatus(status: unknown): ParsedStatus {
  if (typeof status !== 'string') throw coreError('ERR_TSGI_STATUS_INVALID', String(status));
  const cached = statusCache.get(status);
  if (cached) return cached;
  const ok = STATUS_SHAPE.test(status) && !hasBadChar(status, 4);
  if (!ok) throw coreError('ERR_TSGI_STATUS_INVALID', JSON.stringify(status));
  const parsed = { status: Number(status.slice(0, 3)), reason: status.slice(4) };
  return remember(statusCache, status, Object.freeze(parsed));
}

/** Whether a header name is hop-by-hop; throws when it is not a token. */
function checkName(name: string): boolean {
  const cached = nameCache.get(name);
  if (cached !== undefined) return cached;
  if (!TOKEN_RE.test(name))
    throw coreError('ERR_TSGI_HEADER_INVALID', `name ${JSON.stringify(name)}`);
  return remember(nameCache, name, HOP_BY_HOP.has(name.toLowerCase()));
}

/** Validates a header list as startResponse does (tokens, no CR/LF/NUL, no hop-by-hop); returns it or throws. */
export function checkHeaders(headers: unknown): HeaderList {
  if (!Array.isArray(headers)) {
    throw coreError('ERR_TSGI_HEADER_INVALID', 'headers must be an array of [name, value] pairs');
  }
  for (let i = 0; i < headers.length; i++) {
    const h: unknown = headers[i];
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
    const name = h[0] as string;
    const value = h[1] as string;
    if (checkName(name)) throw coreError('ERR_TSGI_HOP_BY_HOP_HEADER', name);
    if (hasBadChar(value)) {
      throw coreError(
        'ERR_TSGI_HEADER_INVALID',
        `value of ${name} ${JSON.stringify(value)} (control character or char above U+00FF; encode with utf8ToLatin1)`,
      );
    }
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
