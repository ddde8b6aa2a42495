/**
 * The HTTP/1.1 codec on fixed inputs: the request-smuggling classics, the limits (with the option
 * named), chunked bodies split anywhere, and the response head's framing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChunkedDecoder,
  httpDate,
  parseRequestHead,
  serializeResponseHead,
} from '../../../gateway/http/index.js';
import { bytesToLatin1 } from '../../../gateway/uwsgi/index.js';
import { errorResponse, runApp } from '../../../src/index.js';
import { llhttpParse } from '../../helpers/llhttp.js';
import { runCodec } from './requests.js';

const SMUGGLED = 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n';
const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('gateway/http request head', () => {
  it('reads a request line and headers, values trimmed, names as sent', () => {
    const r = runCodec(
      bytes('GET /a?b=c HTTP/1.1\r\nHost: x\r\nX-A:  1 2 \r\nConnection: close\r\n\r\n'),
    );
    assert.equal(r.kind, 'request');
    if (r.kind !== 'request') return;
    assert.equal(r.head.method, 'GET');
    assert.equal(r.head.target, '/a?b=c');
    assert.deepEqual(r.head.headers, ['Host', 'x', 'X-A', '1 2', 'Connection', 'close']);
    assert.equal(r.head.keepAlive, false);
    assert.equal(r.head.hosts, 1);
  });

  it('keeps HTTP/1.0 alive only when asked', () => {
    const ask = (h: string) => runCodec(bytes(`GET / HTTP/1.0\r\n${h}\r\n`));
    assert.equal((ask('') as { head: { keepAlive: boolean } }).head.keepAlive, false);
    assert.equal(
      (ask('Connection: Keep-Alive\r\n') as { head: { keepAlive: boolean } }).head.keepAlive,
      true,
    );
  });

  const classics: Array<[string, string, string]> = [
    [
      'CL.TE',
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
      'ERR_HTTP_MALFORMED',
    ],
    [
      'two Content-Length',
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc`,
      'ERR_HTTP_MALFORMED',
    ],
    ['obs-fold', `GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n`, 'ERR_HTTP_MALFORMED'],
    [
      'bare LF',
      `POST / HTTP/1.1\r\nHost: x\nContent-Length: 33\r\n\r\n${SMUGGLED}`,
      'ERR_HTTP_MALFORMED',
    ],
    [
      'chunk size past 2^64',
      `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1${'0'.repeat(17)}\r\n${SMUGGLED}`,
      'ERR_HTTP_MALFORMED',
    ],
    [
      'TE not chunked alone',
      `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`,
      'unsupported',
    ],
    ['space before colon', `GET / HTTP/1.1\r\nHost : x\r\n\r\n`, 'ERR_HTTP_MALFORMED'],
    [
      'Content-Length not digits',
      `POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc`,
      'ERR_HTTP_MALFORMED',
    ],
    ['a NUL in a value', `GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n`, 'ERR_HTTP_MALFORMED'],
  ];
  for (const [name, text, expected] of classics) {
    it(`never accepts ${name}`, () => {
      const r = runCodec(bytes(text));
      assert.equal(r.kind === 'error' ? r.code : r.kind, expected);
      if (r.kind === 'error') assert.equal(r.status, 400);
    });
  }

  it('answers 431 naming buffer-size when the head is over the limit, incomplete or not', () => {
    const big = `GET / HTTP/1.1\r\nX: ${'a'.repeat(200)}`;
    for (const text of [big, `${big}\r\n\r\n`]) {
      const r = parseRequestHead(
        bytes(text),
        0,
        text.length,
        { maxHeadBytes: 100, maxHeaders: 10 },
        bytesToLatin1,
      );
      assert.equal(r.kind, 'error');
      if (r.kind !== 'error') return;
      assert.equal(r.error.status, 431);
      assert.match(r.error.message, /100 bytes \(buffer-size\)/);
    }
  });

  it('counts buffer-size as node:http counts maxHeaderSize: target, names, values', () => {
    // The method, the version, colons, the whitespace before a value and line ends are not
    // counted; whitespace after a value is. node:http refuses at count >= maxHeaderSize, so the
    // gateway gives it buffer-size + 1: both then refuse exactly the heads counting over it.
    const max = 100;
    const limits = { maxHeadBytes: max, maxHeaders: 10 };
    const heads: [string, number][] = [];
    for (const method of ['GET', 'OPTIONS']) {
      for (const target of ['/u', `/${'t'.repeat(40)}`]) {
        for (const [before, after] of [
          [' ', ''],
          ['', ''],
          ['   ', '  '],
          ['\t', ' \t'],
        ] as const) {
          const fixed = target.length + 'Host'.length + 1 + 'Xbbbb'.length + after.length;
          for (const value of [max - fixed - 1, max - fixed, max - fixed + 1]) {
            const text = `${method} ${target} HTTP/1.1\r\nHost: x\r\nXbbbb:${before}${'c'.repeat(value)}${after}\r\n\r\n`;
            heads.push([text, fixed + value]);
          }
        }
      }
    }
    for (const [text, counted] of heads) {
      const r = parseRequestHead(bytes(text), 0, text.length, limits, bytesToLatin1);
      const ours = r.kind === 'error' ? r.error.status : r.kind;
      assert.equal(ours, counted > max ? 431 : 'request', `${counted}: ${JSON.stringify(text)}`);
      const node = llhttpParse(bytes(text), max + 1);
      assert.equal(
        node.error === 'HPE_HEADER_OVERFLOW',
        counted > max,
        `llhttp ${node.error}: ${JSON.stringify(text)}`,
      );
      // A head cut anywhere: refused once what is in counts over the limit, as llhttp does.
      for (let cut = text.length - 1; cut > text.length - 8; cut--) {
        const part = parseRequestHead(bytes(text), 0, cut, limits, bytesToLatin1);
        const partNode = llhttpParse(bytes(text.slice(0, cut)), max + 1);
        assert.equal(
          part.kind === 'error' && part.error.status === 431,
          partNode.error === 'HPE_HEADER_OVERFLOW',
          `cut at ${cut}: ${JSON.stringify(text)}`,
        );
      }
    }
  });

  it('leaves more header lines than the limit to a fuller parser', () => {
    const text = `GET / HTTP/1.1\r\n${'X: 1\r\n'.repeat(11)}\r\n`;
    const r = parseRequestHead(
      bytes(text),
      0,
      text.length,
      { maxHeadBytes: 1000, maxHeaders: 10 },
      bytesToLatin1,
    );
    assert.equal(r.kind, 'unsupported');
  });
});

describe('gateway/http chunked body', () => {
  const body = '5\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\nNEXT';
  it('decodes split at every offset to the same body and end', () => {
    for (let cut = 0; cut <= body.length; cut++) {
      const decoder = new ChunkedDecoder();
      const out: Uint8Array[] = [];
      const b = bytes(body);
      const first = decoder.push(b, 0, cut, out);
      assert.equal(first.kind, 'body');
      const second =
        first.kind === 'body' && first.done ? first : decoder.push(b, cut, b.length, out);
      assert.equal(second.kind, 'body');
      if (second.kind !== 'body') return;
      assert.ok(second.done);
      assert.equal(second.end, body.length - 4);
      assert.equal(Buffer.concat(out).toString(), 'hello0123456789');
    }
  });

  it('stops at limit-post with a 413 naming the option', () => {
    const r = new ChunkedDecoder(4).push(bytes(body), 0, body.length, []);
    assert.equal(r.kind, 'error');
    if (r.kind === 'error') {
      assert.equal(r.error.status, 413);
      assert.match(r.error.message, /4 bytes \(limit-post\)/);
    }
  });
});

describe('gateway/http response head', () => {
  const options = {
    isHead: false,
    minor: 1 as const,
    keepAlive: true,
    keepAliveSeconds: 5,
    date: httpDate(),
  };
  const respond = (body: string[], headers: Array<[string, string]> = []) =>
    runApp(
      ((_env: unknown, start: (status: string, headers: Array<[string, string]>) => void) => {
        start('200 OK', headers);
        return body;
      }) as never,
      { 'wsgi.errors': { write() {} } } as never,
    );

  it('announces a known length, the date and keep-alive', async () => {
    const r = await respond(['hi']);
    const head = serializeResponseHead(r, options);
    assert.match(head.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(
      head.text,
      /\r\nContent-Length: 2\r\nDate: .+ GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n$/,
    );
    assert.equal(head.chunked, false);
  });

  it('refuses an app Content-Length that is not digits, and a CR/LF header, with 500', () => {
    const bad = errorResponse(new Error('x'));
    assert.throws(
      () =>
        serializeResponseHead({ ...bad, headers: [['Content-Length', '3,3']] } as never, options),
      { code: 'ERR_GATEWAY_BAD_CONTENT_LENGTH' },
    );
    assert.throws(
      () => serializeResponseHead({ ...bad, headers: [['X', 'a\r\nb']] } as never, options),
      { code: 'ERR_GATEWAY_HEADER_CRLF' },
    );
  });

  it('frames an unknown length as chunked on 1.1 and as close-delimited on 1.0', () => {
    const streamed = {
      ...errorResponse(new Error('x')),
      contentLength: undefined,
      complete: false,
      headers: [],
    };
    const h11 = serializeResponseHead(streamed as never, options);
    assert.equal(h11.chunked, true);
    assert.match(h11.text, /Transfer-Encoding: chunked\r\n/);
    const h10 = serializeResponseHead(streamed as never, { ...options, minor: 0 });
    assert.equal(h10.chunked, false);
    assert.equal(h10.keepAlive, false);
    assert.match(h10.text, /Connection: close\r\n/);
  });
});
