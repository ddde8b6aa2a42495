/**
 * Decodes vars blocks one after another, reusing the strings of the previous block where its
 * bytes repeat.
 *
 * nginx sends the same vars in the same order on every request, most with the same values
 * (method, protocol, addresses, host, document root): only a few bytes change (REMOTE_PORT, the
 * URI). Comparing bytes with the previous block costs far less than decoding them again (a native
 * call and a new string per key and value), so:
 * - the vars that lie wholly before the first byte that differs are the previous block's vars;
 * - from there each var is compared with the same var of the previous block, and hands back the
 *   strings it had last time when its bytes are the same;
 * - after the first var that changed, the rest of the block is compared with the rest of the
 *   previous one (moved if that var's length changed): the same bytes are the same vars.
 * Bytes that are the same parse the same way, so what is reused needs no second check. The
 * previous block is kept as a copy (the caller's buffer is reused for the next connection), up
 * to `remember` bytes; a larger block is decoded in full and not kept.
 *
 * Same framing rules and coded errors as decodeVars (which runs on this decoder, remembering
 * nothing). No I/O.
 */
import type { TsgiError } from '../../src/errors.js';
import { gatewayError } from '../errors.js';
import { limitError } from '../limits.js';
import type { Latin1Decoder } from './latin1.js';
import { bytesToLatin1 } from './latin1.js';

export interface VarsDecoderOptions {
  /** Values (latin-1); decodeVars passes the value's key as the 4th argument. */
  decode?: Latin1Decoder;
  /** Keys only (e.g. createKeyInterner's); `decode` by default. */
  decodeKey?: Latin1Decoder;
  /** Largest block kept for the next decode, bytes (0: none). Default 4096. */
  remember?: number;
}

export class VarsDecoder {
  /**
   * The last decode()'s vars, flat: key at 2i, value at 2i + 1, for i below the count it
   * returned (later slots are stale). Valid until the next decode().
   */
  readonly vars: string[] = [];
  /** Where each of those strings starts in #previous (same layout as `vars`). */
  readonly #starts: number[] = [];
  /** A copy of the last block when it was kept, and how many of its vars are reusable. */
  #previous = new Uint8Array(0);
  #previousView: DataView<ArrayBufferLike> = new DataView(this.#previous.buffer);
  #previousLength = 0;
  #known = 0;
  /**
   * A view of the memory the last block was in: a server reads every connection into the same
   * buffer, so one DataView serves block after block (making one costs as much as a var).
   */
  #blockMemory: ArrayBufferLike | undefined;
  #blockView: DataView<ArrayBufferLike> = this.#previousView;
  readonly #decode: Latin1Decoder;
  readonly #decodeKey: Latin1Decoder;
  readonly #remember: number;

  constructor(options: VarsDecoderOptions = {}) {
    this.#decode = options.decode ?? bytesToLatin1;
    this.#decodeKey = options.decodeKey ?? this.#decode;
    this.#remember = options.remember ?? 4096;
  }

  /**
   * Decodes a whole vars block into `vars` and returns the number of pairs, duplicates kept in
   * order. Throws a coded error for a zero-length key, a length that overruns the block, a
   * partial pair at the end, or more than `maxVars` pairs.
   */
  decode(block: Uint8Array, maxVars: number): number {
    const { vars } = this;
    const starts = this.#starts;
    const previous = this.#previousView;
    if (block.buffer !== this.#blockMemory) {
      this.#blockMemory = block.buffer;
      this.#blockView = new DataView(block.buffer);
    }
    const view = this.#blockView;
    const base = block.byteOffset;
    const decode = this.#decode;
    const decodeKey = this.#decodeKey;
    // Nothing is reusable until this block is decoded whole (an error leaves `vars` half new).
    const known = this.#known;
    this.#known = 0;
    const end = block.length;
    let pos = 0;
    let n = 0;
    if (known > 0) {
      const prefix = sameLength(previous, 0, view, base, Math.min(end, this.#previousLength));
      while (n < known && n < maxVars && starts[2 * n + 1]! + vars[2 * n + 1]!.length <= prefix)
        n++;
      if (n > 0) pos = starts[2 * n - 1]! + vars[2 * n - 1]!.length;
    }
    let restChecked = false;
    while (pos < end) {
      if (end - pos < 2) throw trailing(pos, end);
      const keyLength = block[pos]! | (block[pos + 1]! << 8);
      pos += 2;
      if (keyLength === 0) throw gatewayError('ERR_UWSGI_ZERO_LENGTH_KEY', `at offset ${pos - 2}`);
      if (pos + keyLength > end) throw overrun('key', pos, keyLength, end);
      const keyStart = pos;
      pos += keyLength;
      // A key with no room for its value length: the last pair is cut off.
      if (end - pos < 2) throw trailing(keyStart - 2, end);
      const valueLength = block[pos]! | (block[pos + 1]! << 8);
      pos += 2;
      if (pos + valueLength > end) throw overrun('value', pos, valueLength, end);
      if (n >= maxVars) {
        throw limitError('maxVars', maxVars);
      }
      const k = 2 * n;
      let key: string;
      let value: string;
      let changed = true;
      if (n < known) {
        // Latin-1: a string's length is its byte count.
        const lastKey = vars[k]!;
        const lastValue = vars[k + 1]!;
        const last = starts[k]!;
        if (
          lastKey.length === keyLength &&
          lastValue.length === valueLength &&
          same(previous, last, view, base + keyStart, keyLength + 2 + valueLength)
        ) {
          // Key, value length and value in one comparison.
          key = lastKey;
          value = lastValue;
          changed = false;
        } else {
          key =
            lastKey.length === keyLength && same(previous, last, view, base + keyStart, keyLength)
              ? lastKey
              : decodeKey(block, keyStart, keyStart + keyLength);
          value =
            valueLength === 0
              ? ''
              : lastValue.length === valueLength &&
                  same(previous, starts[k + 1]!, view, base + pos, valueLength)
                ? lastValue
                : decode(block, pos, pos + valueLength, key);
        }
      } else {
        key = decodeKey(block, keyStart, keyStart + keyLength);
        value = valueLength === 0 ? '' : decode(block, pos, pos + valueLength, key);
      }
      vars[k] = key;
      vars[k + 1] = value;
      starts[k] = keyStart;
      starts[k + 1] = pos;
      n++;
      pos += valueLength;
      if (changed && !restChecked && n < known && known <= maxVars) {
        // Once: the rest of the block may be the rest of the previous one, moved.
        restChecked = true;
        const from = starts[2 * n]! - 2;
        const rest = end - pos;
        if (rest === this.#previousLength - from && same(previous, from, view, base + pos, rest)) {
          const shift = pos - from;
          if (shift !== 0) for (let i = 2 * n; i < 2 * known; i++) starts[i]! += shift;
          n = known;
          pos = end;
        }
      }
    }
    if (end > 0 && end <= this.#remember) {
      if (this.#previous.length < end) {
        this.#previous = new Uint8Array(Math.min(2 * end, this.#remember));
        this.#previousView = new DataView(this.#previous.buffer);
      }
      this.#previous.set(block);
      this.#previousLength = end;
      this.#known = n;
    }
    return n;
  }
}

/** The `length` bytes at `aStart` in `a` equal those at `bStart` in `b`. */
function same(
  a: DataView<ArrayBufferLike>,
  aStart: number,
  b: DataView<ArrayBufferLike>,
  bStart: number,
  length: number,
): boolean {
  return sameLength(a, aStart, b, bStart, length) === length;
}

/**
 * How many of the `length` bytes at `aStart` in `a` and `bStart` in `b` are the same before the
 * first that differs (compared four at a time; `length` when all are).
 */
function sameLength(
  a: DataView<ArrayBufferLike>,
  aStart: number,
  b: DataView<ArrayBufferLike>,
  bStart: number,
  length: number,
): number {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    if (a.getUint32(aStart + i) !== b.getUint32(bStart + i)) break;
  }
  for (; i < length; i++) if (a.getUint8(aStart + i) !== b.getUint8(bStart + i)) return i;
  return i;
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
