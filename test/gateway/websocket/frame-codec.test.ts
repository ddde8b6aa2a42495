/**
 * The RFC 6455 codec without I/O, case by case in the spirit of the Autobahn TestSuite (sections
 * 1 framing, 2 pings, 3 reserved bits, 4 opcodes, 5 fragmentation, 6 UTF-8, 7 close, 9 limits),
 * plus properties: any split of valid frames reads the same, and no byte string makes it throw.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  CLOSE_CODE,
  closePayload,
  encodeFrame,
  type FrameEvent,
  FrameReader,
  OPCODE,
} from '../../../gateway/websocket/frame-codec.js';

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
const utf8 = (s: string) => new TextEncoder().encode(s);
/** A masked client frame. */
const client = (opcode: number, payload: Uint8Array | string, fin = true) =>
  encodeFrame(opcode, typeof payload === 'string' ? utf8(payload) : payload, fin, MASK);
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const read = (bytes: Uint8Array, max = 1 << 20): FrameEvent[] => new FrameReader(max).push(bytes);
const errorCode = (events: FrameEvent[]) => {
  const last = events.at(-1);
  return last?.kind === 'error' ? last.code : undefined;
};

describe('frame-codec: framing (Autobahn 1.x)', () => {
  for (const size of [0, 125, 126, 127, 65535, 65536, 300_000]) {
    test(`text and binary messages of ${size} bytes`, () => {
      const text = 'x'.repeat(size);
      assert.deepEqual(read(client(OPCODE.TEXT, text)), [{ kind: 'message', data: text }]);
      const bytes = new Uint8Array(size).map((_, i) => i & 0xff);
      assert.deepEqual(read(client(OPCODE.BINARY, bytes)), [{ kind: 'message', data: bytes }]);
    });
  }
  test('a frame fed one byte at a time reads the same', () => {
    const reader = new FrameReader(1 << 20);
    const frame = client(OPCODE.TEXT, 'byte by byte');
    const events = [...frame].flatMap((b) => reader.push(new Uint8Array([b])));
    assert.deepEqual(events, [{ kind: 'message', data: 'byte by byte' }]);
  });
  test('an unmasked client frame is a protocol error (1002)', () => {
    assert.equal(errorCode(read(encodeFrame(OPCODE.TEXT, utf8('hi')))), CLOSE_CODE.PROTOCOL_ERROR);
  });
  test('a non-minimal length is a protocol error', () => {
    const frame = new Uint8Array([0x81, 0x80 | 126, 0, 5, ...MASK, 1, 2, 3, 4, 5]);
    assert.equal(errorCode(read(frame)), CLOSE_CODE.PROTOCOL_ERROR);
  });
  test('server frames are unmasked with the shortest length form', () => {
    assert.deepEqual([...encodeFrame(OPCODE.TEXT, utf8('hi'))], [0x81, 2, 0x68, 0x69]);
    assert.deepEqual(
      [...encodeFrame(OPCODE.BINARY, new Uint8Array(126)).subarray(0, 4)],
      [0x82, 126, 0, 126],
    );
    const big = encodeFrame(OPCODE.BINARY, new Uint8Array(65536));
    assert.deepEqual([...big.subarray(0, 10)], [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  });
});

describe('frame-codec: pings, reserved bits, opcodes (Autobahn 2.x-4.x)', () => {
  test('ping and pong carry their payload', () => {
    assert.deepEqual(read(client(OPCODE.PING, 'p')), [{ kind: 'ping', data: utf8('p') }]);
    assert.deepEqual(read(client(OPCODE.PONG, 'q')), [{ kind: 'pong', data: utf8('q') }]);
  });
  test('a control frame over 125 bytes is a protocol error', () => {
    assert.equal(
      errorCode(read(client(OPCODE.PING, new Uint8Array(126)))),
      CLOSE_CODE.PROTOCOL_ERROR,
    );
  });
  test('a fragmented control frame is a protocol error', () => {
    assert.equal(errorCode(read(client(OPCODE.PING, 'x', false))), CLOSE_CODE.PROTOCOL_ERROR);
  });
  for (const rsv of [0x40, 0x20, 0x10]) {
    test(`reserved bit ${rsv.toString(16)} set is a protocol error`, () => {
      const frame = client(OPCODE.TEXT, 'x');
      frame[0]! |= rsv;
      assert.equal(errorCode(read(frame)), CLOSE_CODE.PROTOCOL_ERROR);
    });
  }
  for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    test(`reserved opcode ${opcode} is a protocol error`, () => {
      assert.equal(errorCode(read(client(opcode, ''))), CLOSE_CODE.PROTOCOL_ERROR);
    });
  }
  test('nothing is read after an error', () => {
    const reader = new FrameReader(1024);
    reader.push(encodeFrame(OPCODE.TEXT, utf8('unmasked')));
    assert.deepEqual(reader.push(client(OPCODE.TEXT, 'later')), []);
  });
});

describe('frame-codec: fragmentation (Autobahn 5.x)', () => {
  test('fragments join into one message, with a ping in between', () => {
    const events = read(
      cat(
        client(OPCODE.TEXT, 'frag', false),
        client(OPCODE.PING, 'mid'),
        client(OPCODE.CONTINUATION, 'men', false),
        client(OPCODE.CONTINUATION, 'ted'),
      ),
    );
    assert.deepEqual(events, [
      { kind: 'ping', data: utf8('mid') },
      { kind: 'message', data: 'fragmented' },
    ]);
  });
  test('binary fragments join', () => {
    const events = read(
      cat(
        client(OPCODE.BINARY, new Uint8Array([1, 2]), false),
        client(OPCODE.CONTINUATION, new Uint8Array([3])),
      ),
    );
    assert.deepEqual(events, [{ kind: 'message', data: new Uint8Array([1, 2, 3]) }]);
  });
  test('a continuation without a message is a protocol error', () => {
    assert.equal(errorCode(read(client(OPCODE.CONTINUATION, 'x'))), CLOSE_CODE.PROTOCOL_ERROR);
  });
  test('a new message inside a fragmented one is a protocol error', () => {
    const events = read(cat(client(OPCODE.TEXT, 'a', false), client(OPCODE.TEXT, 'b')));
    assert.equal(errorCode(events), CLOSE_CODE.PROTOCOL_ERROR);
  });
});

describe('frame-codec: UTF-8 (Autobahn 6.x)', () => {
  test('a code point split across fragments is fine', () => {
    const bytes = utf8('κόσμε');
    const events = read(
      cat(
        client(OPCODE.TEXT, bytes.subarray(0, 3), false),
        client(OPCODE.CONTINUATION, bytes.subarray(3)),
      ),
    );
    assert.deepEqual(events, [{ kind: 'message', data: 'κόσμε' }]);
  });
  for (const [name, bytes] of [
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a surrogate', [0xed, 0xa0, 0x80]],
    ['a code point over U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence at the end', [0xce]],
  ] as const) {
    test(`${name} closes with 1007`, () => {
      assert.equal(
        errorCode(read(client(OPCODE.TEXT, new Uint8Array(bytes)))),
        CLOSE_CODE.INVALID_DATA,
      );
    });
  }
  test('invalid UTF-8 fails at the bad fragment, before the message ends', () => {
    const events = read(client(OPCODE.TEXT, new Uint8Array([0x61, 0xff]), false));
    assert.equal(errorCode(events), CLOSE_CODE.INVALID_DATA);
  });
});

describe('frame-codec: close (Autobahn 7.x)', () => {
  test('code and reason are read', () => {
    assert.deepEqual(read(client(OPCODE.CLOSE, closePayload(1000, 'bye'))), [
      { kind: 'close', code: 1000, reason: 'bye' },
    ]);
  });
  test('an empty close is 1005', () => {
    assert.deepEqual(read(client(OPCODE.CLOSE, '')), [{ kind: 'close', code: 1005, reason: '' }]);
  });
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
    test(`close code ${code} on the wire is a protocol error`, () => {
      assert.equal(
        errorCode(read(client(OPCODE.CLOSE, closePayload(code)))),
        CLOSE_CODE.PROTOCOL_ERROR,
      );
    });
  }
  test('a 1-byte close payload is a protocol error', () => {
    assert.equal(
      errorCode(read(client(OPCODE.CLOSE, new Uint8Array([3])))),
      CLOSE_CODE.PROTOCOL_ERROR,
    );
  });
  test('a reason that is not UTF-8 is 1007', () => {
    const payload = new Uint8Array([0x03, 0xe8, 0xff]);
    assert.equal(errorCode(read(client(OPCODE.CLOSE, payload))), CLOSE_CODE.INVALID_DATA);
  });
  test('frames after a close are not read', () => {
    const events = read(cat(client(OPCODE.CLOSE, closePayload(1000)), client(OPCODE.TEXT, 'x')));
    assert.equal(events.length, 1);
  });
  test('a long reason is cut to fit 125 bytes on a character boundary', () => {
    const payload = closePayload(1001, 'é'.repeat(100));
    assert.ok(payload.length <= 125);
    assert.doesNotThrow(() =>
      new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(2)),
    );
  });
});

describe('frame-codec: limits (Autobahn 9.x)', () => {
  test('a message over the limit closes with 1009, announced length or fragments', () => {
    assert.equal(
      errorCode(read(client(OPCODE.BINARY, new Uint8Array(1025)), 1024)),
      CLOSE_CODE.TOO_BIG,
    );
    const fragments = cat(
      client(OPCODE.TEXT, 'a'.repeat(600), false),
      client(OPCODE.CONTINUATION, 'b'.repeat(600)),
    );
    assert.equal(errorCode(read(fragments, 1024)), CLOSE_CODE.TOO_BIG);
  });
  test('a 64-bit length over the limit is refused from the header alone (nothing buffered)', () => {
    const head = new Uint8Array([0x82, 0x80 | 127, 0, 0, 0, 1, 0, 0, 0, 0]);
    assert.equal(errorCode(read(head, 1 << 20)), CLOSE_CODE.TOO_BIG);
  });
});

describe('frame-codec: properties', () => {
  test('any split of a valid frame sequence reads the same messages', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 300 })), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (messages, cuts) => {
          const wire = cat(
            ...messages.map((m) => client(typeof m === 'string' ? OPCODE.TEXT : OPCODE.BINARY, m)),
          );
          const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const reader = new FrameReader(1 << 20);
          const events: FrameEvent[] = [];
          let from = 0;
          for (const p of [...points, wire.length]) {
            events.push(...reader.push(wire.slice(from, p)));
            from = p;
          }
          assert.deepEqual(
            events,
            messages.map((data) => ({ kind: 'message', data })),
          );
        },
      ),
    );
  });
  test('no byte string makes the reader throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        const reader = new FrameReader(4096);
        for (const chunk of chunks) reader.push(chunk);
      }),
      { numRuns: 2000 },
    );
  });
});
