/** Bytes ↔ latin-1 strings ("bytes as characters", PEP 3333). Not TextDecoder('latin1'): that is windows-1252. */

/**
 * Bytes → latin-1 string; a server may pass a faster native one (e.g. Buffer's latin1 toString).
 * decodeVars passes a value's key as `key` (createValueInterner uses it).
 */
export type Latin1Decoder = (bytes: Uint8Array, start: number, end: number, key?: string) => string;

const CHUNK = 8192;

export function bytesToLatin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const length = end - start;
  if (length <= 0) return '';
  if (length <= CHUNK) {
    return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  let out = '';
  for (let i = start; i < end; i += CHUNK) {
    const stop = Math.min(i + CHUNK, end);
    out += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return out;
}

/** Encodes a latin-1 string; throws RangeError for a character above U+00FF. */
export function latin1ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new RangeError(`character U+${code.toString(16)} is not latin-1`);
    out[i] = code;
  }
  return out;
}
