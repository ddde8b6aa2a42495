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
 * Rewrites the response's non-ASCII header values (all values of such a name, in order): a
 * latin-1 value whose bytes are UTF-8 becomes that text, so workerd's UTF-8 encoding puts the
 * app's exact bytes on the wire. Other bytes cannot be sent by workerd at all; those values are
 * left to be sent as the UTF-8 of their latin-1 characters.
 */
export function responseHeadersForWire(response: Response, app: AppResponse): void {
  const names = new Set<string>();
  for (const [name, value] of app.headers) {
    if (NON_ASCII.test(value)) names.add(name.toLowerCase());
  }
  for (const name of names) {
    response.headers.delete(name);
    for (const [n, v] of app.headers) {
      if (n.toLowerCase() !== name) continue;
      let wire = v;
      if (NON_ASCII.test(v)) {
        const bytes = new Uint8Array(v.length);
        for (let i = 0; i < v.length; i++) bytes[i] = v.charCodeAt(i);
        try {
          wire = strictUtf8.decode(bytes);
        } catch {
          // not UTF-8: sent as is
        }
      }
      response.headers.append(n, wire);
    }
  }
}
