import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type ChunkSource, createInput, type InputStream } from 'tsgi';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** An input fed in the given pieces (as a network would split them). */
function split(...pieces: string[]): InputStream {
  return createInput(
    (async function* () {
      for (const p of pieces) yield enc(p);
    })(),
  );
}

describe('src/input: wsgi.input', () => {
  it('read(n) across chunk boundaries, then the rest with read()', async () => {
    const input = split('ab', 'cde', '', 'f');
    assert.equal(dec(await input.read(3)), 'abc');
    assert.equal(dec(await input.read(1)), 'd');
    assert.equal(dec(await input.read()), 'ef');
    assert.equal((await input.read()).length, 0);
    assert.equal((await input.read(10)).length, 0);
  });
  it('read(0) returns nothing and consumes nothing', async () => {
    const input = split('x');
    assert.equal((await input.read(0)).length, 0);
    assert.equal(dec(await input.read()), 'x');
  });
  it('a negative size reads the rest', async () => {
    assert.equal(dec(await split('a', 'b').read(-1)), 'ab');
  });
  it('read(NaN) reads the rest, as `read(parseInt(CONTENT_LENGTH))` without a length asks', async () => {
    // Before anything is buffered (it threw a TypeError) and after (it lost the buffered rest).
    assert.equal(dec(await split('ab', 'c').read(Number.NaN)), 'abc');
    const input = split('ab', 'cd\n', 'ef');
    assert.equal(dec(await input.read(1)), 'a');
    assert.equal(dec(await input.read(Number.NaN)), 'bcd\nef');
    assert.equal((await input.read()).length, 0);
  });
  it('a fractional size is rounded down and loses no byte', async () => {
    const input = split('ab', 'cd\n', 'ef\ngh');
    assert.equal(dec(await input.read(1.5)), 'a');
    assert.equal(dec(await input.read(2.9)), 'bc');
    assert.equal(dec(await input.readline(0.5)), '');
    assert.equal(dec(await input.readline(Number.NaN)), 'd\n');
    assert.equal(dec(await input.readline(1.7)), 'e');
    assert.equal(dec(await input.read()), 'f\ngh');
  });
  it('readline finds a newline in a later chunk and keeps the rest', async () => {
    const input = split('fir', 'st\nsec', 'ond\n', 'tail');
    assert.equal(dec(await input.readline()), 'first\n');
    assert.equal(dec(await input.readline()), 'second\n');
    assert.equal(dec(await input.readline()), 'tail');
    assert.equal((await input.readline()).length, 0);
  });
  it('readline(size) stops at size', async () => {
    const input = split('abcdef\n');
    assert.equal(dec(await input.readline(4)), 'abcd');
    assert.equal(dec(await input.readline(10)), 'ef\n');
  });
  it('readlines() and readlines(hint)', async () => {
    assert.deepEqual((await split('a\nb', '\nc').readlines()).map(dec), ['a\n', 'b\n', 'c']);
    const input = split('aa\nbb\ncc\n');
    assert.deepEqual((await input.readlines(3)).map(dec), ['aa\n']);
    assert.deepEqual((await input.readlines()).map(dec), ['bb\n', 'cc\n']);
  });
  it('async iteration yields what is left after a partial read', async () => {
    const input = split('hello', ' wor', 'ld');
    await input.read(2);
    const parts: string[] = [];
    for await (const c of input) parts.push(dec(c));
    assert.equal(parts.join(''), 'llo world');
    assert.equal(parts[0], 'llo');
  });
  it('reads from a ReadableStream, bytes, a pull source and nothing', async () => {
    const stream = new Response('from a stream').body!;
    assert.equal(dec(await createInput(stream).read()), 'from a stream');
    assert.equal(dec(await createInput(enc('bytes')).read()), 'bytes');
    let n = 0;
    const source: ChunkSource = { pull: async () => (n++ < 2 ? enc(`p${n}`) : null) };
    assert.equal(dec(await createInput(source).read()), 'p1p2');
    assert.equal((await createInput().read()).length, 0);
    assert.equal((await createInput(null).readline()).length, 0);
  });
  it('passes a stream error to the reader', async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new Error('client reset'));
      },
    });
    await assert.rejects(createInput(stream).read(), /client reset/);
  });
  it('any split and any read sizes give back the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 25 }), { maxLength: 20 }),
        async (chunks, sizes) => {
          const input = createInput(
            (async function* () {
              yield* chunks;
            })(),
          );
          const got: number[] = [];
          for (const size of sizes) got.push(...(await input.read(size)));
          got.push(...(await input.read()));
          assert.deepEqual(
            got,
            chunks.flatMap((c) => [...c]),
          );
        },
      ),
    );
  });
  it('readline on any split gives the lines', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.stringMatching(/^[a-c\n]{0,8}$/), { maxLength: 8 }),
        async (parts) => {
          const lines = await split(...parts).readlines();
          const text = parts.join('');
          assert.deepEqual(lines.map(dec), text.match(/[^\n]*\n|[^\n]+$/g) ?? []);
        },
      ),
    );
  });
});
