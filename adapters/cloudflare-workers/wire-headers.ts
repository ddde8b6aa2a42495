/**
 * workerd keeps header values as JS strings and moves them on the wire as UTF-8: incoming bytes
 * are decoded as UTF-8 (invalid bytes become U+FFFD) and outgoing strings are UTF-8 encoded.
 * PEP 3333 header values are the wire bytes as latin-1 characters, so non-ASCII values are
 * translated: request values by environFromRequest (it detects text-valued Headers), response
 * values here. Pure ASCII values, the usual case, need nothing.
 */
import type { AppResponse } from '../../src/index.js';

/** workerd announces itself this way (documented runtime detection). */
export const IN_WORKERD =
  (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent ===
  'Cloudflare-Workers';

const NON_ASCII = /[^\x00-\x7f]/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Response side: a latin-1 value whose bytes are UTF-8 becomes that text, so workerd's UTF-8
 * encoding puts the app's exact bytes on the wire. Other bytes cannot be sent by workerd at all;
 * those values are left to be sent as the UTF-8 of their latin-1 characters.
 */
function wireValue(value: string): string {
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return value;
  }
}

/** Rewrites the response's non-ASCII header values (all values of such a name, in order). */
export function responseHeadersForWire(response: Response, app: AppResponse): void {
  const names = new Set<string>();
  for (const [name, value] of app.headers) {
    if (NON_ASCII.test(value)) names.add(name.toLowerCase());
  }
  for (const name of names) {
    response.headers.delete(name);
    for (const [n, v] of app.headers) {
      if (n.toLowerCase() === name)
        response.headers.append(n, NON_ASCII.test(v) ? wireValue(v) : v);
    }
  }
}
