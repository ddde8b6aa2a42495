/**
 * The HTTP fast path against node:http from outside, as a hostile client sees them: the same
 * bytes sent on raw sockets to one gateway on the raw handle and one under
 * --disable-fast-transport must get the same answer (status line, headers but Date, body,
 * whether the connection is closed). Hostile framing, odd methods and targets, bodies the app
 * never reads, half-closes, and apps that answer badly.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { fastHttpCounts } from '../../../gateway/server/http-fast-accept.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import type { App } from '../../../src/index.js';

const app: App = async (environ, start) => {
  const path = environ.PATH_INFO;
  const q = new URLSearchParams(environ.QUERY_STRING);
  if (path === '/echo') {
    const body = await environ['wsgi.input'].read();
    start('200 OK', [['X-Received', String(body.length)]]);
    return [body];
  }
  if (path === '/cl') {
    start('200 OK', [['Content-Length', q.get('n') ?? '10']]);
    return ['abc'];
  }
  if (path === '/te') {
    start('200 OK', [['Transfer-Encoding', q.get('v') ?? 'chunked']]);
    return (async function* () {
      yield 'abc';
    })();
  }
  if (path.startsWith('/status/')) {
    start(decodeURIComponent(path.slice(8)), []);
    return ['body'];
  }
  if (path === '/header') {
    start('200 OK', [[q.get('n') ?? 'X', q.get('v') ?? 'v']]);
    return ['x'];
  }
  if (path === '/throw') throw new Error('boom');
  start('200 OK', [['Content-Type', 'text/plain']]);
  const { REQUEST_METHOD, QUERY_STRING, SERVER_PROTOCOL, CONTENT_LENGTH } = environ;
  return [`${REQUEST_METHOD} ${path}?${QUERY_STRING} ${SERVER_PROTOCOL} ${CONTENT_LENGTH ?? ''}`];
};

const GET = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
const POST = (headers: string, body: string) =>
  `POST /echo HTTP/1.1\r\nHost: x\r\n${headers}\r\n${body}`;
const CHUNKED = (body: string) => POST('Transfer-Encoding: chunked\r\n', body);

/** [name, bytes sent, end the sending side after them]. */
const CASES: Array<[string, string, boolean?]> = [
  ['HTTP/1.1', GET('/a')],
  ['HTTP/1.0', 'GET /a HTTP/1.0\r\n\r\n'],
  ['HTTP/1.0 keep-alive', 'GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'],
  ['Connection: close, then a pipelined request', GET('/a', 'Connection: close\r\n') + GET('/b')],
  ['HEAD', 'HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['HEAD, Content-Length from the app', 'HEAD /cl HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['204 with a body', GET('/status/204%20No%20Content')],
  ['304 with a body', GET('/status/304%20Not%20Modified')],
  ['bad status', GET('/status/abc')],
  ['1xx status, then pipelined', GET('/status/100%20Continue') + GET('/a')],
  ['status 1000', GET('/status/1000%20X')],
  ['app Content-Length short, then pipelined', GET('/cl?n=10') + GET('/a')],
  ['app Content-Length long, then pipelined', GET('/cl?n=1') + GET('/a')],
  ['app chunked to HTTP/1.0', 'GET /te HTTP/1.0\r\n\r\n'],
  ['app Transfer-Encoding gzip', GET('/te?v=gzip')],
  ['app header name with a space', GET('/header?n=X%20Y')],
  ['app header value NUL', GET('/header?v=a%00b')],
  ['app header value past U+00FF', GET('/header?v=%F0%9F%98%80')],
  ['app throws', GET('/throw')],
  ['body read, then pipelined', POST('Content-Length: 5\r\n', 'hello') + GET('/a')],
  [
    'body never read holding a request, then pipelined',
    `POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: ${GET('/smuggled').length}\r\n\r\n${GET('/smuggled')}${GET('/a')}`,
  ],
  ['Content-Length +5', POST('Content-Length: +5\r\n', 'hello')],
  ['Content-Length with two spaces', POST('Content-Length:  5\r\n', 'hello')],
  ['Content-Length 05', POST('Content-Length: 05\r\n', 'hello')],
  ['Content-Length twice, equal', POST('Content-Length: 5\r\nContent-Length: 5\r\n', 'hello')],
  ['Content-Length 5,5', POST('Content-Length: 5,5\r\n', 'hello')],
  ['Content-Length past 2^64', POST('Content-Length: 99999999999999999999\r\n', 'hello')],
  ['Content-Length -1', POST('Content-Length: -1\r\n', 'hello')],
  [
    'Content-Length and chunked',
    POST('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'),
  ],
  [
    'Transfer-Encoding chunked, chunked',
    POST('Transfer-Encoding: chunked, chunked\r\n', '0\r\n\r\n'),
  ],
  ['Transfer-Encoding identity', POST('Transfer-Encoding: identity\r\n', '')],
  ['Transfer-Encoding gzip', POST('Transfer-Encoding: gzip\r\n', '')],
  ['Transfer-Encoding gzip, chunked', POST('Transfer-Encoding: gzip, chunked\r\n', '0\r\n\r\n')],
  ['chunk extension', CHUNKED('5;a=b\r\nhello\r\n0\r\n\r\n')],
  ['chunked trailer', CHUNKED('5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n')],
  ['chunk size upper-case hex', CHUNKED('A\r\nhellohello\r\n0\r\n\r\n')],
  ['chunk size leading zeros', CHUNKED('0005\r\nhello\r\n0\r\n\r\n')],
  ['chunk size 0x5', CHUNKED('0x5\r\nhello\r\n0\r\n\r\n')],
  ['chunk size -5', CHUNKED('-5\r\nhello\r\n0\r\n\r\n')],
  ['chunk size overflow', CHUNKED('ffffffffffffffffff\r\nhello\r\n0\r\n\r\n')],
  ['whitespace before the colon', 'GET /a HTTP/1.1\r\nHost : x\r\n\r\n'],
  ['header line without a colon', GET('/a', 'Bogus\r\n')],
  ['NUL in a value', GET('/a', 'X: a\0b\r\n')],
  ['CR in a value', GET('/a', 'X: a\rb\r\n')],
  ['DEL in a value', GET('/a', 'X: a\x7fb\r\n')],
  ['obs-text in a value', GET('/a', 'X: a\xe9\xffb\r\n')],
  ['obs-fold', GET('/a', 'X: a\r\n b\r\n')],
  ['bare LF', 'GET /a HTTP/1.1\nHost: x\n\n'],
  ['lower-case method', 'get /a HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['unknown method', 'FOO /a HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['absolute-form', 'GET http://x/a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['CONNECT', 'CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n'],
  ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ['HTTP/1.2', 'GET /a HTTP/1.2\r\nHost: x\r\n\r\n'],
  ['HTTP/1.1 without Host', 'GET /a HTTP/1.1\r\n\r\n'],
  ['HTTP/1.1 without Host, pipelined', `GET /a HTTP/1.1\r\n\r\n${GET('/b')}`],
  ['HTTP/1.0 without Host', 'GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'],
  ['two Host headers', GET('/a', 'Host: y\r\n')],
  ['Host with a space', 'GET /a HTTP/1.1\r\nHost: a b\r\n\r\n'],
  ['Host with a path', 'GET /a HTTP/1.1\r\nHost: evil.example/x?\r\n\r\n'],
  ['Host with a quote', 'GET /a HTTP/1.1\r\nHost: a"b\r\n\r\n'],
  ['absolute-form with a bad authority', 'GET http://a<b/x HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['Host with an underscore and a port', GET('/a').replace('Host: x', 'Host: a-b.c_d:8080')],
  ['Host IPv6 with a port', GET('/a').replace('Host: x', 'Host: [::1]:8080')],
  ['Host with an empty port', GET('/a').replace('Host: x', 'Host: x:')],
  ['Expect: 100-continue without a body', GET('/a', 'Expect: 100-continue\r\n')],
  [
    'Expect: 100-continue with a body',
    POST('Expect: 100-continue\r\nContent-Length: 5\r\n', 'hello'),
  ],
  ['Expect other', GET('/a', 'Expect: foo\r\n')],
  [
    'a chunked upload, then Expect: 100-continue pipelined',
    CHUNKED('3\r\nabc\r\n0\r\n\r\n') + POST('Expect: 100-continue\r\nContent-Length: 2\r\n', 'hi'),
  ],
  ['space in the target', 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['blank line before the request', `\r\n${GET('/a')}`],
  ['binary garbage', '\0\x01\x02\r\n\r\n'],
  ['a request, then garbage in the same write', `${GET('/a')}\x01\x02 garbage\r\n\r\n`],
  [
    'a body, then garbage in the same write',
    `${POST('Content-Length: 5\r\n', 'hello')}\x01 x\r\n\r\n`,
  ],
  ['half-close after the request', GET('/a'), true],
  ['half-close after three pipelined', GET('/a') + GET('/b') + GET('/c'), true],
  ['half-close mid-head', 'GET /a HTTP/1.1\r\nHost: x\r\n', true],
];

const PART_GAP_MS = 20;
/** Three pipelined requests (a body read, a body never read), the last one closing. */
const PIPELINE =
  GET('/a') +
  POST('Content-Length: 5\r\n', 'hello') +
  'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc' +
  GET('/b', 'Connection: close\r\n');

/** Quiet this long after the last byte (or a close) ends an exchange. */
const QUIET_MS = 1500;

/** Sends `bytes` and collects the reply until the peer closes or goes quiet; marks a close. */
function exchange(port: number, bytes: string | string[], end = false): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let timer = setTimeout(() => finish(false), QUIET_MS * 4);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text.replace(/Date: [^\r]*\r\n/g, '') + (closed ? '<closed>' : '<open>'));
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), QUIET_MS);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => {});
    socket.once('connect', async () => {
      // Parts go out as separate reads: the next one after the gateway has seen the last.
      for (const [i, part] of (Array.isArray(bytes) ? bytes : [bytes]).entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, PART_GAP_MS));
        socket.write(Buffer.from(part, 'latin1'));
      }
      if (end) socket.end();
    });
  });
}

describe('gateway/server HTTP fast path vs node:http, from outside', () => {
  let fast: Gateway;
  let node: Gateway;
  const fastLines: string[] = [];
  const nodeLines: string[] = [];
  const portOf = (g: Gateway) => Number(g.addresses[0]!.address.split(':')[1]);
  const answers = new Map<string, [string, string]>();
  before(async () => {
    fast = await serve(app, {
      http: ['127.0.0.1:0'],
      logger: createLogger({ write: (line: string) => fastLines.push(line) }),
    });
    node = await serve(app, {
      http: ['127.0.0.1:0'],
      disableFastTransport: true,
      logger: createLogger({ write: (line: string) => nodeLines.push(line) }),
    });
    assert.ok(fastLines.some((l) => /http fast transport on/.test(l)));
    assert.ok(nodeLines.some((l) => /http fast transport off/.test(l)));
    await Promise.all(
      CASES.map(async ([name, bytes, end]) => {
        const pair = await Promise.all([
          exchange(portOf(fast), bytes, end),
          exchange(portOf(node), bytes, end),
        ]);
        answers.set(name, pair);
      }),
    );
  });
  after(async () => {
    await fast?.close({ force: true });
    await node?.close({ force: true });
  });

  for (const [name] of CASES) {
    it(`same answer: ${name}`, () => {
      const [ours, theirs] = answers.get(name)!;
      if (name.endsWith('Expect: 100-continue pipelined')) {
        // A 100 Continue may be left out once the body is in (RFC 9110 10.1.1; node then closes
        // after the response), never written inside a response: each one sent comes right
        // before a final response's head.
        const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
        for (const text of [ours, theirs]) {
          assert.match(text, /X-Received: 3\r\n[\s\S]*\r\n\r\nabcHTTP[\s\S]*\r\n\r\nhi<\w+>$/);
          assert.equal(
            text.split(CONTINUE).length,
            text.split(`${CONTINUE}HTTP/1.1 2`).length,
            text,
          );
        }
        return;
      }
      if (name.endsWith('garbage in the same write')) {
        // node:http knows of the garbage before it answers (Connection: close); the fast path
        // finds it after and closes: the same class of answer, one 200 and no 400.
        const connection = /Connection: [^\r]*\r\n(Keep-Alive: [^\r]*\r\n)?/;
        assert.equal(ours.replace(connection, ''), theirs.replace(connection, ''));
        return;
      }
      assert.equal(ours, theirs);
    });
  }

  it('answers an HTTP/1.1 request without Host 400 and closes (RFC 9112 3.2)', () => {
    const [ours] = answers.get('HTTP/1.1 without Host, pipelined')!;
    assert.match(ours, /^HTTP\/1\.1 400 /);
    assert.doesNotMatch(ours, /200 OK/);
    assert.match(ours, /<closed>$/);
  });

  it('answers an app 1xx status 500, so a pipelined request gets its own answer', () => {
    const [ours] = answers.get('1xx status, then pipelined')!;
    assert.match(ours, /^HTTP\/1\.1 500 [\s\S]*HTTP\/1\.1 200 OK[\s\S]*GET \/a\?/);
  });

  it('answers 400 to a Host that is no host[:port] (RFC 9112 3.2), naming the code', () => {
    for (const name of ['Host with a space', 'Host with a path', 'Host with a quote']) {
      const [ours] = answers.get(name)!;
      assert.match(ours, /^HTTP\/1\.1 400 [\s\S]*<closed>$/, name);
    }
    assert.match(answers.get('absolute-form with a bad authority')![0], /^HTTP\/1\.1 400 /);
    for (const name of [
      'with an underscore and a port',
      'IPv6 with a port',
      'with an empty port',
    ]) {
      assert.match(answers.get(`Host ${name}`)![0], /^HTTP\/1\.1 200 /, name);
    }
    assert.ok(
      fastLines.some((l) => l.includes('ERR_HTTP_BAD_HOST')),
      fastLines.join('\n'),
    );
  });

  it('answers CONNECT 405 and closes, with a log line (it was closed without a word)', () => {
    const [ours] = answers.get('CONNECT')!;
    assert.match(ours, /^HTTP\/1\.1 405 Method Not Allowed\r\n[\s\S]*<closed>$/);
    assert.ok(
      fastLines.some((l) => /CONNECT.*405/.test(l)),
      fastLines.join('\n'),
    );
  });

  it('answers a pipeline split at every byte boundary as node:http does', async () => {
    const splits = Array.from({ length: PIPELINE.length - 1 }, (_, i) => i + 1);
    const differ: string[] = [];
    for (let from = 0; from < splits.length; from += 50) {
      await Promise.all(
        splits.slice(from, from + 50).map(async (at) => {
          const parts = [PIPELINE.slice(0, at), PIPELINE.slice(at)];
          const [ours, theirs] = await Promise.all([
            exchange(portOf(fast), parts),
            exchange(portOf(node), parts),
          ]);
          if (ours !== theirs || !/GET \/b\? HTTP\/1\.1 <closed>$/.test(ours)) {
            differ.push(`at ${at}: ${JSON.stringify(ours)} vs ${JSON.stringify(theirs)}`);
          }
        }),
      );
    }
    assert.deepEqual(differ, []);
  });
});

/** Small limits, so a hostile client reaches them in one write. */
const LIMITS = { bufferSize: 1024, limitPost: 100 };

/**
 * [name, bytes sent, status both answer]: refusals of the codec and of the request's limits. A
 * head past buffer-size is the exception: node:http counts fewer of its bytes (the target, names
 * and values), so the fast path hands such a head over and node:http decides.
 */
const REFUSALS: Array<[string, string, number]> = [
  ['header line without a colon', GET('/a', 'Bogus\r\n'), 400],
  ['obs-fold', GET('/a', 'X: a\r\n b\r\n'), 400],
  ['bare LF in the request line', 'GET /a HTTP/1.1\nHost: x\r\n\r\n', 400],
  ['NUL in a value', GET('/a', 'X: a\0b\r\n'), 400],
  ['CR in a value', GET('/a', 'X: a\rb\r\n'), 400],
  ['Content-Length 5,5', POST('Content-Length: 5,5\r\n', 'hello'), 400],
  ['Content-Length twice', POST('Content-Length: 5\r\nContent-Length: 5\r\n', 'hello'), 400],
  [
    'Content-Length and chunked',
    POST('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'),
    400,
  ],
  ['space in the target', 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ['head over buffer-size', GET('/a', `X-Big: ${'a'.repeat(1100)}\r\n`), 431],
  ['request line over buffer-size', GET(`/${'a'.repeat(1100)}`), 431],
  ['two Host headers', GET('/a', 'Host: y\r\n'), 400],
  ['HTTP/1.1 without Host', 'GET /a HTTP/1.1\r\n\r\n', 400],
  ['Host with a space', 'GET /a HTTP/1.1\r\nHost: a b\r\n\r\n', 400],
  ['Content-Length over limit-post', POST('Content-Length: 101\r\n', 'a'.repeat(101)), 413],
  ['Content-Length over limit-post, body not sent', POST('Content-Length: 5000\r\n', ''), 413],
];

/** A log line without what differs between runs: the time taken, a parser's own error name. */
function normalized(line: string): string {
  return line
    .replace(/ in [\d.]+ ms/, ' in N ms')
    .replace(/malformed HTTP request \(.*\): 400$/, 'malformed HTTP request (CODE): 400');
}

describe('gateway/server HTTP fast path: refusals answered on the raw handle as node:http does', () => {
  let fast: Gateway;
  let node: Gateway;
  const fastLines: string[] = [];
  const nodeLines: string[] = [];
  const portOf = (g: Gateway) => Number(g.addresses[0]!.address.split(':')[1]);
  before(async () => {
    fast = await serve(app, {
      http: ['127.0.0.1:0'],
      ...LIMITS,
      logger: createLogger({ write: (line: string) => fastLines.push(line) }),
    });
    node = await serve(app, {
      http: ['127.0.0.1:0'],
      ...LIMITS,
      disableFastTransport: true,
      logger: createLogger({ write: (line: string) => nodeLines.push(line) }),
    });
  });
  after(async () => {
    await fast?.close({ force: true });
    await node?.close({ force: true });
  });

  it('answers a head around buffer-size as node:http does, at every size', async () => {
    const differ: string[] = [];
    const base = GET('/a', 'X-Pad: \r\n').length;
    const sizes = Array.from({ length: 81 }, (_, i) => LIMITS.bufferSize - 40 + i);
    await Promise.all(
      sizes.map(async (size) => {
        const bytes = GET('/a', `X-Pad: ${'p'.repeat(size - base)}\r\nConnection: close\r\n`);
        const [ours, theirs] = await Promise.all([
          exchange(portOf(fast), bytes),
          exchange(portOf(node), bytes),
        ]);
        if (ours !== theirs) differ.push(`${size}: ${ours.slice(0, 40)} vs ${theirs.slice(0, 40)}`);
      }),
    );
    assert.deepEqual(differ, []);
  });

  for (const [name, bytes, status] of REFUSALS) {
    it(`${status} for ${name}: same bytes, warning and request line as node:http`, async () => {
      const lines = [fastLines.length, nodeLines.length] as const;
      const handedOver = fastHttpCounts.handedOver;
      const [ours, theirs] = await Promise.all([
        exchange(portOf(fast), bytes),
        exchange(portOf(node), bytes),
      ]);
      const handed = fastHttpCounts.handedOver - handedOver;
      // 431 too: buffer-size is counted as node:http counts it (gateway/http/request-head.ts).
      assert.equal(handed, 0, 'answered on the raw handle');
      assert.equal(ours, theirs);
      assert.match(ours, new RegExp(`^HTTP/1\\.1 ${status} [\\s\\S]*<closed>$`));
      const mine = fastLines.slice(lines[0]).map(normalized);
      const node_ = nodeLines.slice(lines[1]).map(normalized);
      assert.deepEqual(mine, node_);
      // A warning naming the limit or the parser's reason, then the request line.
      assert.equal(mine.length, 2, mine.join('\n'));
      assert.match(mine[0]!, /^tsgi: warning: /);
      assert.match(mine[1]!, new RegExp(`^tsgi: 127\\.0\\.0\\.1 \\S+ \\S+ => ${status} `));
    });
  }
});
