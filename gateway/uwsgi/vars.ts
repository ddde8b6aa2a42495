/** Decoding and encoding of the uwsgi vars block. */
import { bytesToLatin1, type Latin1Decoder, latin1ToBytes } from './latin1.js';
import { MAX_DATASIZE, type UwsgiVar } from './packet.js';
import { VarsDecoder } from './vars-decoder.js';

export type { Latin1Decoder } from './latin1.js';

/**
 * Decodes a whole vars block into `[key, value]` pairs (latin-1), keeping duplicates in order.
 * Throws a coded error for a zero-length key, a length that overruns the block, a partial pair
 * at the end, or more than `maxVars` pairs. (A server decoding block after block uses a
 * VarsDecoder, which reuses the strings of repeated vars.)
 */
export function decodeVars(
  block: Uint8Array,
  /** The max-vars option (its default lives in the option table). */
  maxVars: number,
  decode: Latin1Decoder = bytesToLatin1,
  /** For keys only (e.g. createKeyInterner's); `decode` by default. */
  decodeKey: Latin1Decoder = decode,
): UwsgiVar[] {
  const decoder = new VarsDecoder({ decode, decodeKey, remember: 0 });
  const count = decoder.decode(block, maxVars);
  const flat = decoder.vars;
  const vars: UwsgiVar[] = new Array(count);
  for (let i = 0; i < count; i++) vars[i] = [flat[2 * i]!, flat[2 * i + 1]!];
  return vars;
}

/** A var for encoding: latin-1 strings or raw bytes. */
export type EncodableVar = [key: string | Uint8Array, value: string | Uint8Array];

/** Encodes pairs into a vars block (for tests, tools and the echo modifier). */
export function encodeVars(vars: Iterable<EncodableVar> | Record<string, string>): Uint8Array {
  const pairs: EncodableVar[] =
    Symbol.iterator in vars
      ? [...(vars as Iterable<EncodableVar>)]
      : Object.entries(vars as Record<string, string>);
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const [key, value] of pairs) {
    for (const item of [key, value]) {
      const bytes = typeof item === 'string' ? latin1ToBytes(item) : item;
      if (bytes.length > MAX_DATASIZE)
        throw new RangeError('a uwsgi key or value is at most 65535 bytes');
      parts.push(Uint8Array.of(bytes.length & 0xff, bytes.length >> 8), bytes);
      size += 2 + bytes.length;
    }
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
