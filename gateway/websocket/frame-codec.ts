/**
 * RFC 6455 framing, server side, without I/O: `FrameReader` turns the bytes a client sent into
 * whole messages and control frames (unmasking, reassembling fragments, checking UTF-8 and the
 * size limit); `encodeFrame` builds the unmasked frames a server sends. A breach of the protocol
 * is reported as the close code to answer with (1002, 1007, 1009), never thrown.
 */

import { TextDecoder } from 'node:util';

export const OPCODE = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

export const CLOSE_CODE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  INVALID_DATA: 1007,
  POLICY: 1008,
  TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
} as const;

/** What the reader produced from the bytes so far, in order. */
export type FrameEvent =
  | { kind: 'message'; data: string | Uint8Array }
  | { kind: 'ping'; data: Uint8Array }
  | { kind: 'pong'; data: Uint8Array }
  | { kind: 'close'; code: number; reason: string }
  /** The peer broke the protocol: close with `code`; the reader accepts nothing more. */
  | { kind: 'error'; code: number; reason: string };

const MAX_CONTROL_PAYLOAD = 125;

/** May a peer send this code in a close frame (RFC 6455 7.4.1, 7.4.2)? */
export function isValidCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

export class FrameReader {
  readonly #maxMessage: number;
  #buffer: Uint8Array = new Uint8Array(0);
  /** Fragments of the message being reassembled, and its opcode (0: none in progress). */
  #fragments: Uint8Array[] = [];
  #fragmentBytes = 0;
  #messageOpcode = 0;
  #utf8: TextDecoder | undefined;
  #text = '';
  #failed = false;

  constructor(maxMessageBytes: number) {
    this.#maxMessage = maxMessageBytes;
  }

  /** Feeds bytes; returns the events they complete. */
  push(bytes: Uint8Array): FrameEvent[] {
    if (this.#failed) return [];
    this.#buffer = this.#buffer.length === 0 ? bytes : concat([this.#buffer, bytes]);
    const events: FrameEvent[] = [];
    for (;;) {
      const frame = this.#nextFrame();
      if (frame === undefined) break;
      if ('error' in frame) {
        events.push(this.#fail(frame.error, frame.reason));
        break;
      }
      const event = this.#onFrame(frame);
      if (event) events.push(event);
      if (event?.kind === 'error') break;
      if (event?.kind === 'close') {
        this.#failed = true; // nothing after a close frame is read
        break;
      }
    }
    return events;
  }

  #fail(code: number, reason: string): FrameEvent {
    this.#failed = true;
    this.#buffer = new Uint8Array(0);
    return { kind: 'error', code, reason };
  }

  /** One whole frame off the buffer, a protocol error, or undefined when more bytes are needed. */
  #nextFrame():
    | { fin: boolean; opcode: number; payload: Uint8Array }
    | { error: number; reason: string }
    | undefined {
    const b = this.#buffer;
    if (b.length < 2) return undefined;
    const fin = (b[0]! & 0x80) !== 0;
    if ((b[0]! & 0x70) !== 0)
      return { error: CLOSE_CODE.PROTOCOL_ERROR, reason: 'reserved bits set' };
    const opcode = b[0]! & 0x0f;
    const masked = (b[1]! & 0x80) !== 0;
    if (!masked) return { error: CLOSE_CODE.PROTOCOL_ERROR, reason: 'client frame not masked' };
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = (b[2]! << 8) | b[3]!;
      if (length < 126) return { error: CLOSE_CODE.PROTOCOL_ERROR, reason: 'length not minimal' };
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      if (b[2]! & 0x80) return { error: CLOSE_CODE.PROTOCOL_ERROR, reason: 'length over 2^63' };
      const high = ((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0;
      const low = ((b[6]! << 24) | (b[7]! << 16) | (b[8]! << 8) | b[9]!) >>> 0;
      // Checked before anything is buffered: a claimed length over the limit is refused at once.
      if (high > 0 || low > this.#maxMessage) {
        return { error: CLOSE_CODE.TOO_BIG, reason: 'message too big' };
      }
      length = low;
      if (length < 65536) return { error: CLOSE_CODE.PROTOCOL_ERROR, reason: 'length not minimal' };
      offset = 10;
    }
    if (opcode >= 0x8) {
      if (!fin) return { error: CLOSE_CODE.PROTOCOL_ERROR, reason: 'fragmented control frame' };
      if (length > MAX_CONTROL_PAYLOAD) {
        return { error: CLOSE_CODE.PROTOCOL_ERROR, reason: 'control frame over 125 bytes' };
      }
    } else if (this.#fragmentBytes + length > this.#maxMessage) {
      return { error: CLOSE_CODE.TOO_BIG, reason: 'message too big' };
    }
    if (b.length < offset + 4 + length) return undefined;
    const mask = b.subarray(offset, offset + 4);
    const payload = b.slice(offset + 4, offset + 4 + length);
    for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
    this.#buffer = b.subarray(offset + 4 + length);
    return { fin, opcode, payload };
  }

  #onFrame(frame: { fin: boolean; opcode: number; payload: Uint8Array }): FrameEvent | undefined {
    const { fin, opcode, payload } = frame;
    switch (opcode) {
      case OPCODE.PING:
        return { kind: 'ping', data: payload };
      case OPCODE.PONG:
        return { kind: 'pong', data: payload };
      case OPCODE.CLOSE:
        return this.#onClose(payload);
      case OPCODE.TEXT:
      case OPCODE.BINARY:
        if (this.#messageOpcode !== 0) {
          return this.#fail(CLOSE_CODE.PROTOCOL_ERROR, 'new message inside a fragmented one');
        }
        this.#messageOpcode = opcode;
        if (opcode === OPCODE.TEXT) {
          this.#utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
          this.#text = '';
        }
        return this.#addFragment(payload, fin);
      case OPCODE.CONTINUATION:
        if (this.#messageOpcode === 0) {
          return this.#fail(CLOSE_CODE.PROTOCOL_ERROR, 'continuation without a message');
        }
        return this.#addFragment(payload, fin);
      default:
        return this.#fail(CLOSE_CODE.PROTOCOL_ERROR, `unknown opcode ${opcode}`);
    }
  }

  #addFragment(payload: Uint8Array, fin: boolean): FrameEvent | undefined {
    this.#fragmentBytes += payload.length;
    if (this.#utf8) {
      // Decoded as it comes: invalid UTF-8 fails the connection at the first bad fragment.
      try {
        this.#text += this.#utf8.decode(payload, { stream: !fin });
      } catch {
        return this.#fail(CLOSE_CODE.INVALID_DATA, 'text message is not UTF-8');
      }
    } else {
      this.#fragments.push(payload);
    }
    if (!fin) return undefined;
    const data = this.#utf8 ? this.#text : concat(this.#fragments);
    this.#fragments = [];
    this.#fragmentBytes = 0;
    this.#messageOpcode = 0;
    this.#utf8 = undefined;
    this.#text = '';
    return { kind: 'message', data };
  }

  #onClose(payload: Uint8Array): FrameEvent {
    if (payload.length === 0) return { kind: 'close', code: CLOSE_CODE.NO_STATUS, reason: '' };
    if (payload.length === 1)
      return this.#fail(CLOSE_CODE.PROTOCOL_ERROR, 'close payload of 1 byte');
    const code = (payload[0]! << 8) | payload[1]!;
    if (!isValidCloseCode(code)) {
      return this.#fail(CLOSE_CODE.PROTOCOL_ERROR, `close code ${code} not allowed`);
    }
    let reason: string;
    try {
      reason = new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(2));
    } catch {
      return this.#fail(CLOSE_CODE.INVALID_DATA, 'close reason is not UTF-8');
    }
    return { kind: 'close', code, reason };
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const encoder = new TextEncoder();

/** A server frame (never masked). `mask` is for tests and clients that must mask. */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  fin = true,
  mask?: Uint8Array,
): Uint8Array {
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const head = 2 + extended + (mask ? 4 : 0);
  const out = new Uint8Array(head + length);
  out[0] = (fin ? 0x80 : 0) | opcode;
  const maskBit = mask ? 0x80 : 0;
  if (extended === 0) out[1] = maskBit | length;
  else if (extended === 2) {
    out[1] = maskBit | 126;
    out[2] = length >>> 8;
    out[3] = length & 0xff;
  } else {
    out[1] = maskBit | 127;
    const view = new DataView(out.buffer);
    view.setUint32(2, Math.floor(length / 2 ** 32));
    view.setUint32(6, length % 2 ** 32);
  }
  if (mask) {
    out.set(mask, head - 4);
    for (let i = 0; i < length; i++) out[head + i] = payload[i]! ^ mask[i & 3]!;
  } else {
    out.set(payload, head);
  }
  return out;
}

/** A close frame's payload: the code and a reason cut to fit 125 bytes (on a UTF-8 boundary). */
export function closePayload(code: number, reason = ''): Uint8Array {
  let bytes = encoder.encode(reason);
  if (bytes.length > 123) {
    let end = 123;
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
    bytes = bytes.subarray(0, end);
  }
  const out = new Uint8Array(2 + bytes.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(bytes, 2);
  return out;
}
