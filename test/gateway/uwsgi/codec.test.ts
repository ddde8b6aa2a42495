import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OPTIONS } from '../../../gateway/config/options.js';
import { gatewayError } from '../../../gateway/errors.js';
import {
  decodeHeader,
  decodeVars,
  encodeHeader,
  encodePacket,
  encodeVars,
  PacketReader,
  readWholePacket,
  type UwsgiVar,
} from '../../../gateway/uwsgi/index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);

interface Fixture {
  description: string;
  bufferSize?: number;
  maxVars?: number;
  modifier1?: number;
  modifier2?: number;
  vars?: UwsgiVar[];
  rest?: string;
  error?: string;
  status?: number;
}

function loadFixtures(
  kind: 'valid' | 'invalid',
): Array<{ name: string; bytes: Uint8Array; expect: Fixture }> {
  const dir = new URL(`${kind}/`, FIXTURES);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -4);
      const text = readFileSync(new URL(f, dir), 'utf8').replace(/#.*$/gm, '').replace(/\s+/g, '');
      const bytes = Uint8Array.from(Buffer.from(text, 'hex'));
      const expect = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Fixture;
      return { name: `${kind}/${name}`, bytes, expect };
    });
}

/** Feeds `chunks` to a reader; end of input before a whole packet is ERR_UWSGI_TRUNCATED. */
function parse(chunks: Uint8Array[], opts: { bufferSize?: number; maxVars?: number }) {
  const reader = new PacketReader({ bufferSize: opts.bufferSize ?? 65535 });
  const restParts: Uint8Array[] = [];
  let result: ReturnType<PacketReader['push']>;
  for (const chunk of chunks) {
    if (result) {
      restParts.push(chunk);
      continue;
    }
    result = reader.push(chunk);
    if (result) restParts.push(result.rest);
  }
  if (!result) throw gatewayError('ERR_UWSGI_TRUNCATED');
  const vars = decodeVars(result.packet.block, opts.maxVars ?? OPTIONS.maxVars.default);
  return {
    modifier1: result.packet.modifier1,
    modifier2: result.packet.modifier2,
    vars,
    rest: Buffer.concat(restParts).toString('hex'),
  };
}

/** Splits bytes at the given sorted cut points. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let last = 0;
  for (const cut of cuts) {
    out.push(bytes.subarray(last, cut));
    last = cut;
  }
  out.push(bytes.subarray(last));
  return out;
}

describe('gateway/uwsgi fixtures', () => {
  for (const { name, bytes, expect } of loadFixtures('valid')) {
    it(`${name}: ${expect.description}`, () => {
      const got = parse([bytes], expect);
      assert.deepEqual(got, {
        modifier1: expect.modifier1,
        modifier2: expect.modifier2,
        vars: expect.vars,
        rest: expect.rest,
      });
      // Byte by byte gives the same answer.
      const oneByOne = parse(
        Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)),
        expect,
      );
      assert.deepEqual(oneByOne, got);
    });
  }
  for (const { name, bytes, expect } of loadFixtures('invalid')) {
    it(`${name}: ${expect.description}`, () => {
      for (const chunks of [[bytes], Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))]) {
        assert.throws(
          () => parse(chunks, expect),
          (err: { code?: string; status?: number }) => {
            assert.equal(err.code, expect.error);
            assert.equal(err.status, expect.status);
            return true;
          },
        );
      }
    });
  }
});

describe('gateway/uwsgi codec', () => {
  it('encodes the header little-endian, as nginx writes it', () => {
    assert.deepEqual([...encodeHeader(5, 0x1234, 9)], [5, 0x34, 0x12, 9]);
    assert.deepEqual(decodeHeader(Uint8Array.of(5, 0x34, 0x12, 9)), {
      modifier1: 5,
      datasize: 0x1234,
      modifier2: 9,
    });
  });

  it('encodes vars from an object and from pairs with duplicates', () => {
    assert.deepEqual([...encodeVars({ A: 'b' })], [1, 0, 0x41, 1, 0, 0x62]);
    assert.deepEqual(
      decodeVars(
        encodeVars([
          ['X', '1'],
          ['X', '2'],
        ]),
        10,
      ),
      [
        ['X', '1'],
        ['X', '2'],
      ],
    );
  });

  it('refuses to encode a non-latin-1 string', () => {
    assert.throws(() => encodeVars({ A: '\u20ac' }), RangeError);
  });

  it('parses any packet split at random boundaries the same as whole', () => {
    const varArb = fc.tuple(
      fc.uint8Array({ minLength: 1, maxLength: 40 }),
      fc.uint8Array({ minLength: 0, maxLength: 300 }),
    );
    fc.assert(
      fc.property(
        fc.array(varArb, { maxLength: 30 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (pairs, body, m1, m2, rawCuts) => {
          const bytes = encodePacket(pairs, { modifier1: m1, modifier2: m2, body });
          const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const whole = parse([bytes], {});
          const pieces = parse(split(bytes, cuts), {});
          assert.deepEqual(pieces, whole);
          assert.equal(whole.modifier1, m1);
          assert.equal(whole.modifier2, m2);
          assert.equal(whole.rest, Buffer.from(body).toString('hex'));
          assert.deepEqual(
            whole.vars,
            pairs.map(([k, v]) => [
              Buffer.from(k).toString('latin1'),
              Buffer.from(v).toString('latin1'),
            ]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('readWholePacket reads what a PacketReader given the same first bytes returns', () => {
    /** An outcome to compare: the packet and rest, undefined, or the error code. */
    const outcome = (read: () => ReturnType<PacketReader['push']>) => {
      try {
        const result = read();
        if (!result) return 'incomplete';
        const { packet, rest } = result;
        return [packet.modifier1, packet.datasize, packet.modifier2, [...packet.block], [...rest]];
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc
        .tuple(
          fc.array(fc.tuple(fc.string({ minLength: 1 }), fc.string()), { maxLength: 6 }),
          fc.uint8Array({ maxLength: 20 }),
          fc.nat({ max: 120 }),
        )
        .map(([pairs, body, cut]) => {
          const latin1 = pairs.map(([k, v]) => [k.replace(/[^\x01-\xff]/g, 'x'), v]);
          const bytes = encodePacket(
            latin1.map(([k, v]) => [k!, v!.replace(/[^\x00-\xff]/g, 'y')]),
            { body },
          );
          return bytes.subarray(0, Math.min(bytes.length, cut + 4));
        }),
      fc.constantFrom(Uint8Array.from(Buffer.from('GET / HTTP/1.1\r\n\r\n'))),
    );
    fc.assert(
      fc.property(bytesArb, fc.constantFrom(20, 300, 65535), (bytes, bufferSize) => {
        assert.deepEqual(
          outcome(() => readWholePacket(bytes, bufferSize)),
          outcome(() => new PacketReader({ bufferSize }).push(bytes)),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws anything but a coded error on random bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (bytes, rawCuts) => {
          const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          try {
            parse(split(bytes, cuts), { bufferSize: 300, maxVars: 20 });
          } catch (err) {
            assert.match((err as { code?: string }).code ?? '', /^ERR_UWSGI_/);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
