/**
 * The uwsgi codec: bytes in, values out. No I/O, no Node APIs (Uint8Array only).
 * @module
 */
export { type EncodePacketOptions, encodePacket } from './encode.js';
export { createKeyInterner, createValueInterner } from './intern.js';
export { bytesToLatin1, latin1ToBytes } from './latin1.js';
export {
  decodeHeader,
  encodeHeader,
  HEADER_SIZE,
  MAX_DATASIZE,
  MODIFIER,
  type UwsgiHeader,
  type UwsgiPacket,
  type UwsgiVar,
} from './packet.js';
export {
  PacketReader,
  type PacketReaderOptions,
  type ReadResult,
  readWholePacket,
} from './reader.js';
export {
  decodeVars,
  type EncodableVar,
  encodeVars,
  type Latin1Decoder,
} from './vars.js';
export { VarsDecoder, type VarsDecoderOptions } from './vars-decoder.js';
