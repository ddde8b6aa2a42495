/**
 * fast-check arbitraries for uwsgi packets: requests shaped like nginx's, the same packets
 * mutated (bit flips, inserted/deleted/duplicated bytes, rewritten length fields, truncation),
 * plain random bytes and plain HTTP, each with the cut points that split it into socket chunks.
 * Mutations are data (kind + position), so fast-check can shrink a failure to a small case.
 */
import fc from 'fast-check';
import { type EncodableVar, encodeHeader, encodeVars } from '../../gateway/uwsgi/index.js';

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** Latin-1 text biased towards what shows up in URLs and headers, with the odd control byte. */
const text = (maxLength: number) =>
  fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...'abcxyzABC019/-_.~%?&=;, '.split('')) },
        {
          weight: 1,
          arbitrary: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom('%2F', '%00', '%zz', '%', '%e2%82%ac', '\r\n', '\0'),
        },
      ),
      { maxLength },
    )
    .map((parts) => parts.join(''));

const headerName = fc
  .array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789'.split('')), {
    minLength: 1,
    maxLength: 20,
  })
  .map((c) => c.join(''));

const contentLength = (bodyLength: number) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(String(bodyLength)) },
    { weight: 2, arbitrary: fc.constant('') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '0',
        '-1',
        '1e3',
        ' 5',
        '5 ',
        '0x10',
        '99999999999999999999',
        '999999999999999',
        '+3',
        '\u00b3',
      ),
    },
    { weight: 1, arbitrary: fc.nat({ max: 1_000_000 }).map(String) },
  );

/** Vars nginx sends (uwsgi_params), in its order, plus HTTP_* headers and hostile extras. */
export const requestVarsArb = (bodyLength: number): fc.Arbitrary<EncodableVar[]> =>
  fc
    .record({
      method: fc.oneof(
        {
          weight: 8,
          arbitrary: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'),
        },
        { weight: 1, arbitrary: text(10) },
      ),
      hasMethod: fc.integer({ min: 0, max: 99 }).map((x) => x >= 3),
      path: text(60),
      query: text(40),
      hasPathInfo: fc.boolean(),
      contentLength: contentLength(bodyLength),
      contentType: fc.constantFrom('', 'text/plain', 'application/octet-stream'),
      https: fc.constantFrom(undefined, 'on', 'off', 'ON', '1', ''),
      scheme: fc.constantFrom(undefined, 'http', 'https'),
      serverName: fc.option(text(20), { nil: undefined }),
      host: fc.option(text(30), { nil: undefined }),
      headers: fc.array(fc.tuple(headerName, text(50)), { maxLength: 12 }),
      cookies: fc.array(text(30), { maxLength: 3 }),
      hostile: fc.oneof(
        { weight: 3, arbitrary: fc.constant([] as EncodableVar[]) },
        fc.subarray([
          ['HTTP_CONTENT_LENGTH', '12345'],
          ['HTTP_CONTENT_TYPE', 'evil/type'],
          ['HTTP_TRANSFER_ENCODING', 'chunked'],
          ['UWSGI_SCRIPT', 'evil:app'],
          ['UWSGI_SETENV', 'NODE_OPTIONS=--require /tmp/x'],
          ['UWSGI_POSTFILE', '/etc/passwd'],
          ['UWSGI_CHDIR', '/'],
          ['UWSGI_TOUCH_RELOAD', '/tmp/x'],
          ['CONTENT_LENGTH', '7'],
          ['wsgi.input', 'not a stream'],
          ['__proto__', 'x'],
        ] as EncodableVar[]),
      ),
      raw: fc.array(
        fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.uint8Array({ maxLength: 30 })),
        { maxLength: 3 },
      ),
    })
    .map((r) => {
      const uri = r.query ? `${r.path}?${r.query}` : r.path;
      const vars: EncodableVar[] = [];
      if (r.hasMethod) vars.push(['REQUEST_METHOD', r.method]);
      vars.push(['QUERY_STRING', r.query], ['REQUEST_URI', uri]);
      if (r.hasPathInfo) vars.push(['PATH_INFO', r.path]);
      vars.push(
        ['CONTENT_TYPE', r.contentType],
        ['CONTENT_LENGTH', r.contentLength],
        ['SERVER_PROTOCOL', 'HTTP/1.1'],
        ['REMOTE_ADDR', '127.0.0.1'],
        ['REMOTE_PORT', '40000'],
        ['SERVER_PORT', '80'],
      );
      if (r.serverName !== undefined) vars.push(['SERVER_NAME', r.serverName]);
      if (r.https !== undefined) vars.push(['HTTPS', r.https]);
      if (r.scheme !== undefined) vars.push(['REQUEST_SCHEME', r.scheme]);
      if (r.host !== undefined) vars.push(['HTTP_HOST', r.host]);
      for (const [name, value] of r.headers) vars.push([`HTTP_${name}`, value]);
      for (const cookie of r.cookies) vars.push(['HTTP_COOKIE', cookie]);
      vars.push(...r.hostile);
      for (const [k, v] of r.raw) vars.push([latin1(k), latin1(v)]);
      return vars;
    });

export interface PacketCase {
  /** How the bytes were made, for the outcome tally. */
  source: 'valid' | 'mutated' | 'random' | 'plain-http' | 'concatenated';
  bytes: Uint8Array;
  /** For `valid` only: the vars and body that went in. */
  vars?: Array<[string, string]>;
  body?: Uint8Array;
  modifier1?: number;
  modifier2?: number;
  /** Cut points (sorted, unique, inside the bytes): where the socket chunks end. */
  cuts: number[];
  bufferSize: number;
  maxVars: number;
}

const modifier1Arb = fc.oneof(
  { weight: 12, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constantFrom(5, 100, 101, 110, 200, 255) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
);

function packetBytes(vars: EncodableVar[], body: Uint8Array, m1: number, m2: number): Uint8Array {
  const block = encodeVars(vars);
  const out = new Uint8Array(4 + block.length + body.length);
  // A block over 65535 bytes cannot be framed; the arbitraries keep far below that.
  out.set(encodeHeader(m1, block.length, m2), 0);
  out.set(block, 4);
  out.set(body, 4 + block.length);
  return out;
}

const validArb = fc
  .uint8Array({ maxLength: 400 })
  .chain((body) =>
    fc.record({
      body: fc.constant(body),
      vars: requestVarsArb(body.length),
      m1: modifier1Arb,
      m2: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, fc.integer({ min: 0, max: 255 })),
    }),
  )
  .map(({ body, vars, m1, m2 }) => ({
    bytes: packetBytes(vars, body, m1, m2),
    vars: vars.map(([k, v]) => [toLatin1(k), toLatin1(v)] as [string, string]),
    body,
    m1,
    m2,
  }));

function toLatin1(item: string | Uint8Array): string {
  return typeof item === 'string' ? item : latin1(item);
}

/** Byte offsets of every key/value length field in a well-formed packet (after the header). */
export function lengthFieldOffsets(bytes: Uint8Array): number[] {
  const datasize = bytes[1]! | (bytes[2]! << 8);
  const end = Math.min(4 + datasize, bytes.length);
  const out: number[] = [];
  let pos = 4;
  while (pos + 2 <= end) {
    out.push(pos);
    pos += 2 + (bytes[pos]! | (bytes[pos + 1]! << 8));
  }
  return out;
}

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'datasize'; value: number }
  | { kind: 'length-field'; index: number; value: number }
  | { kind: 'append'; bytes: Uint8Array };

const u16Arb = fc.oneof(
  fc.constantFrom(0, 1, 2, 0xff, 0x100, 0x7fff, 0xfffe, 0xffff),
  fc.integer({ min: 0, max: 600 }),
  fc.integer({ min: 0, max: 0xffff }),
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 16 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('datasize' as const), value: u16Arb }),
  fc.record({ kind: fc.constant('length-field' as const), index: fc.nat(), value: u16Arb }),
  fc.record({
    kind: fc.constant('append' as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
);

export function mutate(bytes: Uint8Array, mutation: Mutation): Uint8Array {
  const n = bytes.length;
  const at = 'at' in mutation ? (n === 0 ? 0 : mutation.at % n) : 0;
  const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
  switch (mutation.kind) {
    case 'flip': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[at] = out[at]! ^ (1 << mutation.bit);
      return out;
    }
    case 'set': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[at] = mutation.byte;
      return out;
    }
    case 'insert':
      return concat(bytes.subarray(0, at), mutation.bytes, bytes.subarray(at));
    case 'delete':
      return concat(bytes.subarray(0, at), bytes.subarray(at + mutation.length));
    case 'duplicate':
      return concat(bytes.subarray(0, at + mutation.length), bytes.subarray(at));
    case 'truncate':
      return bytes.subarray(0, at);
    case 'datasize': {
      if (n < 4) return bytes;
      const out = bytes.slice();
      out[1] = mutation.value & 0xff;
      out[2] = mutation.value >> 8;
      return out;
    }
    case 'length-field': {
      const fields = lengthFieldOffsets(bytes);
      if (fields.length === 0) return bytes;
      const pos = fields[mutation.index % fields.length]!;
      const out = bytes.slice();
      out[pos] = mutation.value & 0xff;
      out[pos + 1] = mutation.value >> 8;
      return out;
    }
    case 'append':
      return concat(bytes, mutation.bytes);
  }
}

/** Cut points for a byte string of `length`: none, a few random ones, or every byte. */
export function cutsFor(length: number, raw: number[], everyByte: boolean): number[] {
  if (everyByte) return Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1);
  return [...new Set(raw.map((c) => (length === 0 ? 0 : (c % length) + 1)))]
    .filter((c) => c > 0 && c < length)
    .sort((a, b) => a - b);
}

const splitArb = fc.record({
  raw: fc.array(fc.nat(), { maxLength: 12 }),
  everyByte: fc.integer({ min: 0, max: 99 }).map((x) => x < 5),
});

const limitsArb = fc.record({
  bufferSize: fc.oneof(
    { weight: 6, arbitrary: fc.constant(65535) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 2000 }) },
  ),
  maxVars: fc.oneof(
    { weight: 6, arbitrary: fc.constant(1000) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }) },
  ),
});

const plainHttpArb = fc
  .tuple(fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'PATCH', 'OPTIONS'), text(40))
  .map(([m, p]) =>
    Uint8Array.from(Buffer.from(`${m} /${p} HTTP/1.1\r\nHost: x\r\n\r\n`, 'latin1')),
  );

/** The bytes of one test case, before splitting. */
const bytesArb: fc.Arbitrary<Omit<PacketCase, 'cuts' | 'bufferSize' | 'maxVars'>> = fc.oneof(
  {
    weight: 3,
    arbitrary: validArb.map((v) => ({
      source: 'valid' as const,
      bytes: v.bytes,
      vars: v.vars,
      body: v.body,
      modifier1: v.m1,
      modifier2: v.m2,
    })),
  },
  {
    weight: 6,
    arbitrary: fc
      .tuple(validArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
      .map(([v, mutations]) => ({
        source: 'mutated' as const,
        bytes: mutations.reduce(mutate, v.bytes),
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .uint8Array({ maxLength: 600 })
      .map((bytes) => ({ source: 'random' as const, bytes })),
  },
  { weight: 1, arbitrary: plainHttpArb.map((bytes) => ({ source: 'plain-http' as const, bytes })) },
  {
    weight: 1,
    arbitrary: fc.tuple(validArb, validArb).map(([a, b]) => ({
      source: 'concatenated' as const,
      bytes: Buffer.concat([a.bytes, b.bytes]),
    })),
  },
);

export const packetCaseArb: fc.Arbitrary<PacketCase> = fc
  .tuple(bytesArb, splitArb, limitsArb)
  .map(([c, split, limits]) => {
    const bytes = Uint8Array.from(c.bytes);
    // Limits apply to valid packets too: their outcome is then a coded refusal.
    return { ...c, bytes, cuts: cutsFor(bytes.length, split.raw, split.everyByte), ...limits };
  });

/** Splits bytes at sorted cut points. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let last = 0;
  for (const cut of cuts) {
    out.push(bytes.subarray(last, cut));
    last = cut;
  }
  out.push(bytes.subarray(last));
  return out;
}
