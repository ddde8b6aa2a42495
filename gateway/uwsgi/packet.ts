/**
 * The uwsgi wire format, as values.
 *
 * A packet is a 4-byte header — modifier1 (u8), datasize (u16 little-endian), modifier2 (u8) —
 * then `datasize` bytes of vars: repeated `[u16 LE key length][key][u16 LE value length][value]`.
 * The request body follows the vars block; its length is the CONTENT_LENGTH var, never datasize.
 */

export const HEADER_SIZE = 4;
/** datasize is a u16: no vars block can be larger. */
export const MAX_DATASIZE = 0xffff;

/** modifier1 values with a meaning here (uWSGI's numbering). */
export const MODIFIER = {
  /** A WSGI-style HTTP request. */
  HTTP: 0,
  PING: 100,
  ECHO: 101,
  SIGNAL: 110,
  /** Generic response (signal replies). */
  RESPONSE: 255,
} as const;

/** One var as read off the wire, latin-1 decoded. Duplicates stay, in wire order. */
export type UwsgiVar = [key: string, value: string];

export interface UwsgiHeader {
  modifier1: number;
  datasize: number;
  modifier2: number;
}

/** A complete header + vars block, as cut out of the byte stream. */
export interface UwsgiPacket extends UwsgiHeader {
  /** The raw vars block (`datasize` bytes). */
  block: Uint8Array;
}

export function decodeHeader(bytes: Uint8Array, offset = 0): UwsgiHeader {
  return {
    modifier1: bytes[offset]!,
    datasize: bytes[offset + 1]! | (bytes[offset + 2]! << 8),
    modifier2: bytes[offset + 3]!,
  };
}

export function encodeHeader(modifier1: number, datasize: number, modifier2: number): Uint8Array {
  return Uint8Array.of(modifier1 & 0xff, datasize & 0xff, (datasize >> 8) & 0xff, modifier2 & 0xff);
}
