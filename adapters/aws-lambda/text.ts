/** String helpers for event fields: JSON strings are UTF-16 text, environ values are latin-1 bytes. */
import { latin1ToBytes, percentDecodeToLatin1, utf8ToLatin1 } from '../../src/index.js';
import { lambdaError } from './errors.js';

const NON_ASCII = /[^\x00-\x7f]/;

/** Text → its UTF-8 bytes as latin-1 (ASCII passes through untouched). */
export function textToLatin1(text: string): string {
  return NON_ASCII.test(text) ? utf8ToLatin1(text) : text;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A response header value (latin-1 bytes) → the text a result's JSON must hold: the gateway writes
 * JSON strings as UTF-8, so the bytes of `café` leave as `café`, not as `cafÃ©`. Bytes that are
 * not UTF-8 stay as they are (a JSON string cannot carry them).
 */
export function latin1ToText(value: string): string {
  if (!NON_ASCII.test(value)) return value;
  try {
    return strictUtf8.decode(latin1ToBytes(value));
  } catch {
    return value;
  }
}

/** A percent-encoded URL path (REST, ALB, Function URL) → decoded latin-1 bytes. */
export function encodedPathToLatin1(path: string): string {
  // The core reads literal non-ASCII chars as their UTF-8 bytes, as a browser would send them.
  return percentDecodeToLatin1(path);
}

/** A raw URL path for REQUEST_URI: literal non-ASCII chars percent-encoded as UTF-8, as on the wire. */
export function rawPathToUri(path: string): string {
  if (!NON_ASCII.test(path)) return path;
  const bytes = utf8ToLatin1(path);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    out += c < 0x80 ? bytes[i] : `%${c.toString(16).toUpperCase()}`;
  }
  return out;
}

/** `application/x-www-form-urlencoded`-style escape for a decoded query key or value. */
export function encodeQueryPart(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // Lone surrogates cannot be UTF-8 encoded; keep the rest of the request usable.
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

type QueryMap = Record<string, string | string[] | null | undefined> | null | undefined;

/** `k=v&k=w` from a query map, each key and value passed through `part`. */
function joinQueryMap(map: QueryMap, part: (text: string) => string): string {
  if (!map) return '';
  let out = '';
  for (const key in map) {
    const value = map[key];
    if (value === undefined || value === null) continue;
    const k = part(key);
    if (typeof value === 'string') out += `${out ? '&' : ''}${k}=${part(value)}`;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      for (const v of value) out += `${out ? '&' : ''}${k}=${part(v)}`;
    } else {
      // A number or a null in a list is no query AWS sends: refuse it, never serve `k=null`.
      throw lambdaError(
        'ERR_LAMBDA_EVENT_INVALID',
        `query parameter ${JSON.stringify(key)} must be a string or an array of strings`,
      );
    }
  }
  return out;
}

const asIs = (text: string): string => text;

/** A query map whose values API Gateway (or VPC Lattice) already decoded → a raw query string. */
export function encodeQueryMap(map: QueryMap): string {
  return joinQueryMap(map, encodeQueryPart);
}

/** A query map whose values are still encoded (ALB) → a raw query string, untouched. */
export function joinRawQueryMap(map: QueryMap): string {
  return joinQueryMap(map, asIs);
}

/** True for a non-null object (event fields are untrusted JSON). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
