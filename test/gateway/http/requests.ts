/**
 * Generators of hostile HTTP/1.1 requests for the codec's fuzz tests, and the codec run over a
 * whole byte string (head, then the body as framed).
 */
import fc from 'fast-check';
import { ChunkedDecoder, parseRequestHead, type RequestHead } from '../../../gateway/http/index.js';
import { bytesToLatin1 } from '../../../gateway/uwsgi/index.js';

export type CodecOutcome =
  | { kind: 'request'; head: RequestHead; body: Buffer; end: number }
  | { kind: 'incomplete' }
  | { kind: 'unsupported'; why: string }
  | { kind: 'error'; code: string; status: number | undefined };

export const LIMITS = { maxHeadBytes: 16384, maxHeaders: 100 };

/** One request through the codec: the head, then the body as it frames it. */
export function runCodec(bytes: Buffer, limits = LIMITS): CodecOutcome {
  const r = parseRequestHead(bytes, 0, bytes.length, limits, bytesToLatin1);
  if (r.kind === 'error') return { kind: 'error', code: r.error.code, status: r.error.status };
  if (r.kind !== 'request') return r;
  const { head } = r;
  if (head.chunked) {
    const pieces: Uint8Array[] = [];
    const decoder = new ChunkedDecoder();
    const b = decoder.push(bytes, r.end, bytes.length, pieces);
    if (b.kind === 'error') return { kind: 'error', code: b.error.code, status: b.error.status };
    if (b.kind === 'unsupported') return b;
    if (!b.done) return { kind: 'incomplete' };
    return { kind: 'request', head, body: Buffer.concat(pieces), end: b.end };
  }
  const length = Math.max(0, head.contentLength);
  if (bytes.length - r.end < length) return { kind: 'incomplete' };
  return {
    kind: 'request',
    head,
    body: bytes.subarray(r.end, r.end + length),
    end: r.end + length,
  };
}

const EOL = fc.oneof(
  { weight: 40, arbitrary: fc.constant('\r\n') },
  { weight: 1, arbitrary: fc.constantFrom('\n', '\r', '\r\r\n', ' \r\n', '\n\r') },
);

const METHOD = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'get',
      'PROPFIND',
      'CONNECT',
      'TRACE',
      'G ET',
      '',
      'GET\t',
      'GETT',
      'PO',
      'Ǵ',
    ),
  },
);

const TARGET_CHAR = fc.constantFrom(
  ..."/aZ09-._~%?=&+;:@!$'()*,".split(''),
  '#',
  '"',
  '<',
  '>',
  '\\',
  '^',
  '`',
  '{',
  '|',
  '}',
  '[',
  ']',
  ' ',
  '\t',
  '\x00',
  '\x7f',
  '\x80',
  '\xff',
  '\x0c',
);
const TARGET = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('/', '/hello', '/a?b=c', '/%41%2F', '/a/../b', '/?') },
  { weight: 1, arbitrary: fc.constantFrom('*', 'http://h/p', 'h:80', '//x', '/a#f', '', 'hello') },
  {
    weight: 3,
    arbitrary: fc.string({ unit: TARGET_CHAR, maxLength: 12 }).map((s: string) => `/${s}`),
  },
);

const VERSION = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'HTTP/2.0',
      'HTTP/1.2',
      'http/1.1',
      'HTTP/1.1 ',
      'HTTP/11',
      'HTTP/0.9',
      '',
    ),
  },
);

const NAME = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.constantFrom(
      'Host',
      'host',
      'Content-Length',
      'content-length',
      'Transfer-Encoding',
      'Connection',
      'Expect',
      'Upgrade',
      'X-A',
      'Cookie',
      'Accept',
      'Content-Type',
      'X_A',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'Bad Name', 'Ho\x00st', 'X\x7f', 'Naïve', 'X@Y', 'X"', '{a}'),
  },
);

const VALUE_CHAR = fc.constantFrom(
  'a',
  'Z',
  '0',
  '9',
  ' ',
  '\t',
  ',',
  ';',
  '=',
  '"',
  '\x00',
  '\x01',
  '\x7f',
  '\x80',
  '\xe9',
  '\x0b',
  '\r',
  '\n',
);
const VALUE = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'x',
      'example.com:8080',
      '0',
      '3',
      '5',
      ' 5',
      '5 ',
      '+5',
      '-1',
      '05',
      '5,5',
      '1e3',
      '0x5',
      '99999999999999999999',
      'chunked',
      'Chunked',
      'chunked, identity',
      'gzip, chunked',
      'identity',
      ' chunked',
      'chunked ',
      'close',
      'keep-alive',
      'Keep-Alive',
      'upgrade',
      'close, upgrade',
      '100-continue',
      '100-Continue',
      'websocket',
      '',
      'a=b; c=d',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: VALUE_CHAR, maxLength: 10 }) },
);

const SEPARATOR = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(': ', ':') },
  { weight: 1, arbitrary: fc.constantFrom(' : ', ':\t', ' :', ':  ', '\t:') },
);

const HEADER = fc
  .tuple(NAME, SEPARATOR, VALUE, EOL, fc.nat(60))
  .map(([name, sep, value, eol, fold]) =>
    fold === 0 ? `${name}${sep}${value}${eol} folded${eol}` : `${name}${sep}${value}${eol}`,
  );

const CHUNK = fc
  .tuple(
    fc.constantFrom('', 'ab', 'hello world', 'x'.repeat(17)),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.constantFrom('0', '00', ' ', ';ext=1', 'g', '0'.repeat(16), '-') },
    ),
    fc.boolean(),
    EOL,
  )
  .map(([data, sizeTail, upper, eol]) => {
    const size = data.length.toString(16);
    return `${upper ? size.toUpperCase() : size}${sizeTail}${eol}${data}${eol}`;
  });

const CHUNKED_BODY = fc
  .tuple(
    fc.array(CHUNK, { maxLength: 3 }),
    fc.constantFrom(
      '0\r\n\r\n',
      '0\r\n\r\n',
      '0\r\nX-T: 1\r\n\r\n',
      '0\n\n',
      '00\r\n\r\n',
      '0;a\r\n\r\n',
      '0\r\n',
    ),
  )
  .map(([chunks, last]) => chunks.join('') + last);

const BODY = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.constantFrom('abc', 'hello', 'x'.repeat(40)) },
  { weight: 3, arbitrary: CHUNKED_BODY },
);

const INTERESTING = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x3a, 0x2c, 0x30, 0x7f, 0x80, 0xff, 0x41];

const MUTATION = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom('insert', 'replace', 'delete', 'truncate'),
      fc.nat(),
      fc.constantFrom(...INTERESTING),
    ),
  },
);

function mutate(bytes: Buffer, m: [string, number, number] | undefined): Buffer {
  if (!m || bytes.length === 0) return bytes;
  const [kind, at, byte] = m;
  const i = at % bytes.length;
  if (kind === 'truncate') return bytes.subarray(0, i);
  if (kind === 'delete') return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
  if (kind === 'replace') {
    const copy = Buffer.from(bytes);
    copy[i] = byte;
    return copy;
  }
  return Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
}

/** A request (possibly hostile) as bytes. */
export const requestArb = fc
  .tuple(METHOD, TARGET, VERSION, EOL, fc.array(HEADER, { maxLength: 6 }), EOL, BODY, MUTATION)
  .map(([method, target, version, eol, headers, end, body, mutation]) =>
    mutate(
      Buffer.from(`${method} ${target} ${version}${eol}${headers.join('')}${end}${body}`, 'latin1'),
      mutation,
    ),
  );
