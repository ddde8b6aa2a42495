/** Decoding and encoding of the uwsgi vars block. */
import type { TsgiError } from '../../src/errors.js';
import { gatewayError } from '../errors.js';
import { bytesToLatin1, latin1ToBytes } from './latin1.js';
import { MAX_DATASIZE, type UwsgiVar } from './packet.js';

/**
 * Decodes a whole vars block into `[key, value]` pairs (latin-1), keeping duplicates in order.
 * Throws a coded error for a zero-length key, a length that overruns the block, a partial pair
 * at the end, or more than `maxVars` pairs.
 */
/**
 * Bytes → latin-1 string; a server may pass a faster native one (e.g. Buffer's latin1 toString).
 * decodeVars passes a value's key as `key` (createValueInterner uses it).
 */
export type Latin1Decoder = (bytes: Uint8Array, start: number, end: number, key?: string) => string;

export function decodeVars(
  block: Uint8Array,
  /** The max-vars option (its default lives in the option table). */
  maxVars: number,
  decode: Latin1Decoder = bytesToLatin1,
  /** For keys only (e.g. createKeyInterner's); `decode` by default. */
  decodeKey: Latin1Decoder = decode,
): UwsgiVar[] {
  const vars: UwsgiVar[] = [];
  const end = block.length;
  let pos = 0;
  while (pos < end) {
    if (end - pos < 2) throw trailing(pos, end);
    const keyLength = block[pos]! | (block[pos + 1]! << 8);
    pos += 2;
    if (keyLength === 0) throw gatewayError('ERR_UWSGI_ZERO_LENGTH_KEY', `at offset ${pos - 2}`);
    if (pos + keyLength > end) throw overrun('key', pos, keyLength, end);
    const keyStart = pos;
    pos += keyLength;
    if (end - pos < 2) {
      // A key with no room for its value length: the last pair is cut off.
      throw trailing(keyStart - 2, end);
    }
    const valueLength = block[pos]! | (block[pos + 1]! << 8);
    pos += 2;
    if (pos + valueLength > end) throw overrun('value', pos, valueLength, end);
    if (vars.length >= maxVars) {
      throw gatewayError('ERR_UWSGI_TOO_MANY_VARS', `more than ${maxVars} (max-vars)`);
    }
    const key = decodeKey(block, keyStart, keyStart + keyLength);
    vars.push([key, decode(block, pos, pos + valueLength, key)]);
    pos += valueLength;
  }
  return vars;
}

function overrun(what: string, pos: number, length: number, end: number): TsgiError {
  return gatewayError(
    'ERR_UWSGI_VARS_OVERRUN',
    `${what} of ${length} bytes at offset ${pos} ends past the block (${end} bytes)`,
  );
}

function trailing(pos: number, end: number): TsgiError {
  return gatewayError('ERR_UWSGI_TRAILING_BYTES', `${end - pos} stray bytes at offset ${pos}`);
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
