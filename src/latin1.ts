/**
 * PEP 3333's string rule: CGI values are "bytes as characters", one char per byte (U+0000..U+00FF).
 * These helpers move between that form, raw bytes and ordinary (UTF-8) text.
 */

/** The one UTF-8 encoder of the core (each module making its own would repeat it in every bundle). */
export const utf8Encoder: { encode(text: string): Uint8Array } = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Bytes → latin-1 string (one char per byte). */
export function bytesToLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return out;
}

/** Latin-1 string → bytes. Chars above U+00FF are not valid here; they are masked to a byte. */
export function latin1ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** True when every char fits in one byte (a valid CGI string). */
export function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Ordinary text → its UTF-8 bytes read as latin-1 (what an environ value holds for that text). */
export function utf8ToLatin1(text: string): string {
  return bytesToLatin1(utf8Encoder.encode(text));
}

/** An environ value → the text it holds, decoding its bytes as UTF-8 (e.g. a PATH_INFO with `é`). */
export function latin1ToUtf8(text: string): string {
  return utf8Decoder.decode(latin1ToBytes(text));
}

const NON_ASCII = /[^\x00-\x7f]/;
const HEX: Record<string, number> = {};
for (let i = 0; i < 16; i++) {
  HEX[i.toString(16)] = i;
  HEX[i.toString(16).toUpperCase()] = i;
}

/**
 * Percent-decodes a URL path into bytes read as latin-1. Invalid escapes stay as they are,
 * never throw (unlike decodeURIComponent). Raw non-ASCII chars are taken as their UTF-8 bytes.
 */
export function percentDecodeToLatin1(path: string): string {
  // A path is text: chars past ASCII stand for their UTF-8 bytes (browsers send them encoded).
  const ascii = !NON_ASCII.test(path);
  if (ascii && path.indexOf('%') === -1) return path;
  const source = ascii ? path : utf8ToLatin1(path);
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '%' && i + 2 < source.length) {
      const hi = HEX[source[i + 1]!];
      const lo = HEX[source[i + 2]!];
      if (hi !== undefined && lo !== undefined) {
        out += String.fromCharCode(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += c;
  }
  return out;
}

const UNRESERVED_PATH = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;

/** Latin-1 path → percent-encoded URL path (the inverse of percentDecodeToLatin1 for URL rebuilding). */
export function percentEncodeLatin1Path(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (UNRESERVED_PATH.test(c)) out += c;
    else out += `%${path.charCodeAt(i).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
