/**
 * A chunked request body (RFC 9112 7.1): bytes in, body pieces out. No I/O. Like the head
 * parser it takes less than llhttp's strict mode: hex sizes of at most 12 digits ended by CRLF,
 * no chunk extensions, no trailer fields (both `unsupported`: valid, for a fuller parser).
 */
import { gatewayError } from '../errors.js';
import { limitError } from '../limits.js';

const CR = 0x0d;
const LF = 0x0a;
/** 12 hex digits: 2^48 - 1 bytes, exact as a JS number. */
const MAX_SIZE_DIGITS = 12;

enum State {
  Size = 0,
  SizeLf = 1,
  Data = 2,
  DataCr = 3,
  DataLf = 4,
  Trailer = 5,
  TrailerLf = 6,
  Done = 7,
}

export type ChunkedResult =
  /** `end`: the offset past what was read; `done` once the last chunk and its CRLF are in. */
  | { readonly kind: 'body'; readonly end: number; readonly done: boolean }
  | { readonly kind: 'unsupported'; readonly why: string }
  | { readonly kind: 'error'; readonly error: Error & { code: string; status?: number } };

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

export class ChunkedDecoder {
  #state = State.Size;
  #size = 0;
  #digits = 0;
  #remaining = 0;
  /** Body bytes decoded so far. */
  received = 0;
  /** Most body bytes allowed (limit-post); 0 for no limit. */
  readonly #limit: number;

  constructor(limit = 0) {
    this.#limit = limit;
  }

  get done(): boolean {
    return this.#state === State.Done;
  }

  /** Decodes bytes[start..end), appending body pieces (views of `bytes`) to `out`. */
  push(bytes: Uint8Array, start: number, end: number, out: Uint8Array[]): ChunkedResult {
    let i = start;
    while (i < end && this.#state !== State.Done) {
      const byte = bytes[i]!;
      switch (this.#state) {
        case State.Size: {
          const digit = hexValue(byte);
          if (digit !== -1) {
            if (++this.#digits > MAX_SIZE_DIGITS) return malformed('chunk size too large');
            this.#size = this.#size * 16 + digit;
          } else if (byte === CR && this.#digits > 0) {
            this.#state = State.SizeLf;
          } else if (byte === 0x3b && this.#digits > 0) {
            return { kind: 'unsupported', why: 'chunk extensions' };
          } else {
            return malformed('chunk size');
          }
          i++;
          break;
        }
        case State.SizeLf:
          if (byte !== LF) return malformed('chunk size not ended by CRLF');
          i++;
          if (this.#size === 0) {
            this.#state = State.Trailer;
          } else {
            this.received += this.#size;
            if (this.#limit > 0 && this.received > this.#limit) {
              return {
                kind: 'error',
                error: limitError('limitPost', this.#limit, 'a chunked body'),
              };
            }
            this.#remaining = this.#size;
            this.#state = State.Data;
          }
          break;
        case State.Data: {
          const take = Math.min(this.#remaining, end - i);
          out.push(bytes.subarray(i, i + take));
          this.#remaining -= take;
          i += take;
          if (this.#remaining === 0) this.#state = State.DataCr;
          break;
        }
        case State.DataCr:
          if (byte !== CR) return malformed('chunk data not ended by CRLF');
          this.#state = State.DataLf;
          i++;
          break;
        case State.DataLf:
          if (byte !== LF) return malformed('chunk data not ended by CRLF');
          this.#state = State.Size;
          this.#size = 0;
          this.#digits = 0;
          i++;
          break;
        case State.Trailer:
          if (byte !== CR) return { kind: 'unsupported', why: 'trailer fields' };
          this.#state = State.TrailerLf;
          i++;
          break;
        case State.TrailerLf:
          if (byte !== LF) return malformed('last chunk not ended by CRLF');
          this.#state = State.Done;
          i++;
          break;
      }
    }
    return { kind: 'body', end: i, done: this.#state === State.Done };
  }
}

function malformed(what: string): ChunkedResult {
  return { kind: 'error', error: gatewayError('ERR_HTTP_MALFORMED', what) };
}
