/**
 * --http-socket served on the connection's handle with our own codec: keep-alive and pipelined
 * requests answered in order, bodies, HEAD, streamed responses (chunked on 1.1, to the close on
 * 1.0), and the hand-over to node:http at a request boundary (Expect, chunked uploads, a split
 * head) with nothing lost or answered twice. The counters prove which path served.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { fastHttpCounts } from '../../../gateway/server/http-fast-accept.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import app, { hello } from '../fixtures/app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends the parts (with a gap between them) and collects the reply until `until` or a close. */
function exchange(port: number, parts: string[], until: RegExp, gapMs = 30): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out: ${JSON.stringify(text)}`));
    }, 5000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (until.test(text)) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => {});
    socket.once('connect', async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0) await sleep(gapMs);
        socket.write(part);
      }
    });
  });
}

const GET = 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n';
const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;

describe('gateway/server HTTP fast path (own codec on the raw handle)', () => {
  let gateway: Gateway;
  let port: number;
  const lines: string[] = [];
  before(async () => {
    gateway = await serve(app, {
      http: ['127.0.0.1:0'],
      logger: createLogger({ write: (line: string) => lines.push(line) }),
    });
    port = Number(gateway.addresses[0]!.address.split(':')[1]);
  });
  after(() => gateway?.close({ force: true }));

  it('says at start-up that the fast transport is on', () => {
    assert.ok(
      lines.some((l) => /http fast transport on/.test(l)),
      lines.join('\n'),
    );
  });

  it('answers pipelined keep-alive requests in order on the fast path', async () => {
    const before = { ...fastHttpCounts };
    const post = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello';
    const reply = await exchange(
      port,
      [GET + post + GET],
      /(Hello, world!)[\s\S]*hello[\s\S]*Hello, world!$/,
    );
    assert.equal(count(reply, /HTTP\/1\.1 200 OK\r\n/g), 3);
    assert.match(reply, /Connection: keep-alive\r\nKeep-Alive: timeout=\d+\r\n/);
    assert.match(reply, /X-Received: 5\r\n[\s\S]*\r\n\r\nhello/);
    assert.equal(fastHttpCounts.served - before.served, 3);
    assert.equal(fastHttpCounts.handedOver, before.handedOver);
  });

  it('announces a HEAD length without a body, and closes on Connection: close', async () => {
    const reply = await exchange(
      port,
      [
        'HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      ],
      /$^/,
    );
    assert.match(
      reply,
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 13\r\n[\s\S]*\r\n\r\nHTTP\/1\.1 200 OK\r\n/,
    );
    assert.match(reply, /Connection: close\r\n\r\nHello, world!$/);
  });

  it('streams chunked on HTTP/1.1 and keeps serving; to the close on HTTP/1.0', async () => {
    const reply = await exchange(
      port,
      [`GET /stream?n=3 HTTP/1.1\r\nHost: x\r\n\r\n${GET}`],
      /Hello, world!$/,
    );
    assert.match(
      reply,
      /Transfer-Encoding: chunked\r\n\r\n8\r\nchunk 0\n\r\n[\s\S]*chunk 2\n\r\n0\r\n\r\nHTTP\/1\.1 200 OK/,
    );
    const old = await exchange(port, ['GET /stream?n=2 HTTP/1.0\r\n\r\n'], /$^/);
    assert.match(old, /Connection: close\r\n\r\nchunk 0\nchunk 1\n$/);
  });

  it('hands over to node:http at a request boundary, replaying what was not served', async () => {
    const before = { ...fastHttpCounts };
    const chunked =
      'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    const reply = await exchange(port, [GET + chunked + GET], /abc[\s\S]*Hello, world!$/);
    assert.equal(count(reply, /HTTP\/1\.1 200 OK\r\n/g), 3);
    assert.match(reply, /X-Received: 3\r\n/);
    assert.equal(fastHttpCounts.served - before.served, 1);
    assert.equal(fastHttpCounts.handedOver - before.handedOver, 1);
  });

  it('hands over a head split over reads, and Expect: 100-continue', async () => {
    const split = await exchange(
      port,
      ['GET /hello HTTP/1.1\r\nHo', 'st: x\r\n\r\n'],
      /Hello, world!$/,
    );
    assert.match(split, /^HTTP\/1\.1 200 OK\r\n/);
    const expect = await exchange(
      port,
      ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n', 'ok'],
      /\r\n\r\nok$/,
      100,
    );
    assert.match(expect, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  });

  it('closes without a word on garbage sent while a response was under way', async () => {
    const reply = await exchange(
      port,
      [`GET /stream?n=20 HTTP/1.1\r\nHost: x\r\n\r\n`, '\x01 junk\r\n\r\n'],
      /$^/,
    );
    assert.match(reply, /0\r\n\r\n$/);
    assert.doesNotMatch(reply, /HTTP\/1\.1 400/);
  });

  it('answers 400 to a malformed request, with the log line node:http gives', async () => {
    const reply = await exchange(port, ['GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n'], /$^/);
    assert.match(reply, /^HTTP\/1\.1 400 /);
  });

  it('answers 400 to an HTTP/1.1 request without Host, serves HTTP/1.0 without one', async () => {
    const none = await exchange(port, ['GET /hello HTTP/1.1\r\n\r\n'], /$^/);
    assert.match(none, /^HTTP\/1\.1 400 /);
    const old = await exchange(port, ['GET /hello HTTP/1.0\r\n\r\n'], /$^/);
    assert.match(old, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Hello, world!$/);
  });

  it('answers 3000 pipelined requests to a synchronous app in order, without growing the stack', async () => {
    const sync = await serve(hello, {
      http: ['127.0.0.1:0'],
      logger: createLogger({ write: () => {} }),
    });
    try {
      const syncPort = Number(sync.addresses[0]!.address.split(':')[1]);
      const n = 3000;
      const last = 'GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
      const reply = await exchange(syncPort, [GET.repeat(n - 1) + last], /$^/);
      assert.equal(count(reply, /HTTP\/1\.1 200 OK\r\n/g), n);
      assert.match(reply, /Connection: close\r\n\r\nHello, world!$/);
    } finally {
      await sync.close({ force: true });
    }
  });

  it('answers a request sent with a half-close, then closes', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      const timer = setTimeout(() => reject(new Error(`left open: ${JSON.stringify(text)}`)), 5000);
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(text);
      });
      // A response still being made when the FIN arrives: it goes out whole, then the close.
      socket.once('connect', () => socket.end('GET /stream?n=2 HTTP/1.1\r\nHost: x\r\n\r\n'));
    });
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n[\s\S]*chunk 1\n\r\n0\r\n\r\n$/);
  });

  it('leaves every connection to node:http under --disable-fast-transport, and says so', async () => {
    const off: string[] = [];
    const plain = await serve(app, {
      http: ['127.0.0.1:0'],
      disableFastTransport: true,
      logger: createLogger({ write: (line: string) => off.push(line) }),
    });
    try {
      const plainPort = Number(plain.addresses[0]!.address.split(':')[1]);
      const before = { ...fastHttpCounts };
      const reply = await exchange(plainPort, [GET + GET], /Hello, world![\s\S]*Hello, world!$/);
      assert.equal(count(reply, /HTTP\/1\.1 200 OK\r\n/g), 2);
      assert.deepEqual(fastHttpCounts, before);
      assert.ok(
        off.some((l) => /http fast transport off: turned off by disable-fast-transport/.test(l)),
      );
    } finally {
      await plain.close({ force: true });
    }
  });
});

describe('gateway/server HTTP fast path: a client that stops reading', () => {
  let gateway: Gateway;
  let port: number;
  const lines: string[] = [];
  before(async () => {
    gateway = await serve(app, {
      http: ['127.0.0.1:0'],
      socketTimeout: 1,
      logger: createLogger({ write: (line: string) => lines.push(line) }),
    });
    port = Number(gateway.addresses[0]!.address.split(':')[1]);
  });
  after(() => gateway?.close({ force: true }));

  it('is cut at socket-timeout with a request to hand over pipelined behind (never handed over mid-write)', async () => {
    const handedOver = fastHttpCounts.handedOver;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(
      `GET /big?size=${32 * 1024 * 1024} HTTP/1.1\r\nHost: x\r\n\r\n` +
        'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    socket.pause(); // reads nothing: the response stays queued
    const deadline = Date.now() + 8000;
    const cut = () => lines.some((l) => l.includes('ERR_GATEWAY_WRITE_TIMEOUT'));
    while (Date.now() < deadline && !cut()) await sleep(100);
    socket.destroy();
    assert.ok(cut(), `not cut 8 s later with socket-timeout 1 s:\n${lines.join('\n')}`);
    assert.equal(
      fastHttpCounts.handedOver,
      handedOver,
      'the chunked upload never reached node:http',
    );
  });
});
