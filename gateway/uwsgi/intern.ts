/**
 * Decoders that hand back a string seen before instead of decoding the same bytes again.
 *
 * Keys: the same string for the same bytes. nginx sends the same
 * ~15 keys on every request: comparing bytes to a remembered key costs less than a native decode,
 * a new string and its internalisation when it becomes an environ property. Bounded, so a peer
 * that sends ever-new keys only fills the table once.
 */
import type { Latin1Decoder } from './latin1.js';

/** Keys longer than this are decoded every time (nginx's are 9-30 bytes). */
const MAX_KEY = 48;
/** Remembered keys per length, and in all. */
const PER_LENGTH = 8;
const TOTAL = 256;

export function createKeyInterner(decode: Latin1Decoder): Latin1Decoder {
  const byLength: string[][] = [];
  let total = 0;
  return (bytes, start, end) => {
    const length = end - start;
    if (length > MAX_KEY) return decode(bytes, start, end);
    const known = byLength[length];
    if (known) {
      for (let k = 0; k < known.length; k++) {
        const key = known[k]!;
        let i = 0;
        while (i < length && key.charCodeAt(i) === bytes[start + i]) i++;
        if (i === length) return key;
      }
    }
    const key = decode(bytes, start, end);
    if (total < TOTAL && (known?.length ?? 0) < PER_LENGTH) {
      if (known) known.push(key);
      else byLength[length] = [key];
      total++;
    }
    return key;
  };
}

/** Values longer than this are decoded every time (nginx's repeated ones are short). */
const MAX_VALUE = 64;
/** Keys whose last value is remembered. */
const VALUE_KEYS = 256;

/**
 * A decoder for var values that hands back the last value seen under the same key when the bytes
 * are the same. nginx sends the same REQUEST_METHOD, SERVER_PROTOCOL, REMOTE_ADDR, SERVER_PORT,
 * HTTP_HOST… on every request; a value that changes every time (REMOTE_PORT) costs one comparison
 * more than a plain decode. Bounded in keys and value length.
 */
export function createValueInterner(decode: Latin1Decoder): Latin1Decoder {
  const last = new Map<string, string>();
  return (bytes, start, end, key) => {
    const length = end - start;
    if (length === 0) return '';
    if (key === undefined || length > MAX_VALUE) return decode(bytes, start, end);
    const known = last.get(key);
    if (known !== undefined && known.length === length) {
      let i = 0;
      while (i < length && known.charCodeAt(i) === bytes[start + i]) i++;
      if (i === length) return known;
    }
    const value = decode(bytes, start, end);
    if (known !== undefined || last.size < VALUE_KEYS) last.set(key, value);
    return value;
  };
}
