/**
 * Incremental packet reader: feed it socket chunks split anywhere; it returns the header and the
 * vars block once both are complete, plus the bytes after them (the start of the body).
 */
import { gatewayError } from '../errors.js';
import { limitError } from '../limits.js';
import {
  decodeHeader,
  HEADER_SIZE,
  MAX_DATASIZE,
  type UwsgiHeader,
  type UwsgiPacket,
} from './packet.js';

export interface PacketReaderOptions {
  /** Largest vars block accepted (the `buffer-size` option). Default and maximum: 65535. */
  bufferSize?: number;
}

export interface ReadResult {
  packet: UwsgiPacket;
  /** Bytes after the vars block in the last chunk: the first body bytes (may be empty). */
  rest: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** First four bytes of the common HTTP methods: someone pointed an HTTP client at a uwsgi socket. */
const HTTP_STARTS = new Set([
  'GET ',
  'POST',
  'PUT ',
  'HEAD',
  'DELE',
  'PATC',
  'OPTI',
  'CONN',
  'TRAC',
  'PRI ',
]);

/** The largest vars block accepted under buffer-size (never more than the protocol allows). */
function blockLimit(bufferSize: number | undefined): number {
  return Math.min(bufferSize ?? MAX_DATASIZE, MAX_DATASIZE);
}

/**
 * The header at `offset`, refused when it is plain HTTP or announces a block over `bufferSize`.
 * Checked whatever the datasize: "GET " reads as a 21573-byte block, under the default
 * buffer-size, and would wait for socket-timeout. No modifier1 a web server sends is a letter.
 */
function checkHeader(bytes: Uint8Array, offset: number, bufferSize: number): UwsgiHeader {
  const header = decodeHeader(bytes, offset);
  if (header.modifier1 >= 0x41 && header.modifier1 <= 0x5a) {
    const start = String.fromCharCode(
      bytes[offset]!,
      bytes[offset + 1]!,
      bytes[offset + 2]!,
      bytes[offset + 3]!,
    );
    if (HTTP_STARTS.has(start))
      throw gatewayError('ERR_UWSGI_PLAIN_HTTP', `request starts with ${JSON.stringify(start)}`);
  }
  if (header.datasize > bufferSize) {
    throw limitError('uwsgiVarsSize', bufferSize, `${header.datasize} bytes`);
  }
  return header;
}

/**
 * A packet read whole from the start of `bytes`, as nginx writes it (header, vars and a buffered
 * body in one write): what a new PacketReader returns for these bytes, without a reader.
 * Undefined when the vars block is not all there; throws as push() does.
 */
export function readWholePacket(bytes: Uint8Array, bufferSize?: number): ReadResult | undefined {
  if (bytes.length < HEADER_SIZE) return undefined;
  const { modifier1, datasize, modifier2 } = checkHeader(bytes, 0, blockLimit(bufferSize));
  const end = HEADER_SIZE + datasize;
  if (bytes.length < end) return undefined;
  const packet = { modifier1, datasize, modifier2, block: bytes.subarray(HEADER_SIZE, end) };
  return { packet, rest: bytes.subarray(end) };
}

export class PacketReader {
  readonly #bufferSize: number;
  /** Only for a header split across chunks (allocated then: nginx sends it whole). */
  #headerBytes: Uint8Array | undefined;
  #headerFilled = 0;
  #header: UwsgiHeader | undefined;
  #block: Uint8Array | undefined;
  #blockFilled = 0;
  #done = false;

  constructor(options: PacketReaderOptions = {}) {
    this.#bufferSize = blockLimit(options.bufferSize);
  }

  /** True once any byte was pushed (a connection that sent nothing needs no error reply). */
  get started(): boolean {
    return this.#headerFilled > 0;
  }

  /** The header, once its four bytes are in. */
  get header(): UwsgiHeader | undefined {
    return this.#header;
  }

  /**
   * Adds bytes. Returns the packet when the vars block is complete, else undefined.
   * Throws a coded error when the header announces a block over buffer-size or is plain HTTP.
   */
  push(chunk: Uint8Array): ReadResult | undefined {
    if (this.#done) throw new Error('PacketReader: packet already complete');
    let offset = 0;
    if (this.#header === undefined) {
      // Fast path: the whole header in this chunk (nginx writes header and vars together).
      if (this.#headerFilled === 0 && chunk.length >= HEADER_SIZE) {
        this.#header = this.#checkHeader(chunk, 0);
        this.#headerFilled = HEADER_SIZE;
        offset = HEADER_SIZE;
      } else {
        const take = Math.min(HEADER_SIZE - this.#headerFilled, chunk.length);
        this.#headerBytes ??= new Uint8Array(HEADER_SIZE);
        this.#headerBytes.set(chunk.subarray(0, take), this.#headerFilled);
        this.#headerFilled += take;
        offset = take;
        if (this.#headerFilled < HEADER_SIZE) return undefined;
        this.#header = this.#checkHeader(this.#headerBytes, 0);
      }
    }
    const { datasize } = this.#header;
    if (this.#block === undefined) {
      // Fast path: the whole block is in this chunk; no copy.
      if (chunk.length - offset >= datasize) {
        return this.#finish(
          chunk.subarray(offset, offset + datasize),
          chunk.subarray(offset + datasize),
        );
      }
      this.#block = new Uint8Array(datasize);
    }
    const take = Math.min(datasize - this.#blockFilled, chunk.length - offset);
    this.#block.set(chunk.subarray(offset, offset + take), this.#blockFilled);
    this.#blockFilled += take;
    if (this.#blockFilled < datasize) return undefined;
    return this.#finish(
      this.#block,
      offset + take < chunk.length ? chunk.subarray(offset + take) : EMPTY,
    );
  }

  #checkHeader(bytes: Uint8Array, offset: number): UwsgiHeader {
    return checkHeader(bytes, offset, this.#bufferSize);
  }

  #finish(block: Uint8Array, rest: Uint8Array): ReadResult {
    this.#done = true;
    const header = this.#header!;
    const packet: UwsgiPacket = {
      modifier1: header.modifier1,
      datasize: header.datasize,
      modifier2: header.modifier2,
      block,
    };
    return { packet, rest };
  }
}
