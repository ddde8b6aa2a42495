/**
 * Request bodies that span reads on the HTTP fast path (http-fast-accept.ts): a request of up to
 * 256 KiB is read whole on the handle however many reads it takes (a 64 KB POST always spans
 * two), and served there; a bigger one, a body that stalls, or one cut short by the client's FIN
 * is handed to node:http, which answers it as it always did. The counters prove which path served.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { fastHttpCounts } from '../../../gateway/server/http-fast-accept.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import app from '../fixtures/app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends the parts with `gapMs` between them (then a FIN if `end`), and collects the reply until
 * `until` matches or the server closes.
 */
function exchange(
  port: number,
  parts: Buffer[],
  until: RegExp,
  gapMs: number,
  end = false,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out: ${JSON.stringify(text.slice(0, 200))}`));
    }, 10_000);
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
      if (end) socket.end();
    });
  });
}

function post(body: Buffer): Buffer {
  return Buffer.from(
    `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`,
    'latin1',
  );
}

function bodyOf(size: number): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = 0x41 + (i % 26);
  return body;
}

const GET = Buffer.from('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1');

describe('gateway/server HTTP fast path: bodies over several reads', () => {
  let gateway: Gateway;
  let port: number;
  before(async () => {
    gateway = await serve(app, {
      http: ['127.0.0.1:0'],
      socketTimeout: 5,
      logger: createLogger({ write: () => {} }),
    });
    port = Number(gateway.addresses[0]!.address.split(':')[1]);
  });
  after(() => gateway?.close({ force: true }));

  it('reads a 100 KiB body sent in three parts on the handle, then serves the next request', async () => {
    const body = bodyOf(100 * 1024);
    const before = { ...fastHttpCounts };
    const reply = await exchange(
      port,
      [post(body), body.subarray(0, 40_000), Buffer.concat([body.subarray(40_000), GET])],
      /Hello, world!$/,
      30,
    );
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n[\s\S]*X-Received: 102400\r\n/);
    assert.ok(reply.includes(body.toString('latin1')), 'the body came back whole');
    assert.equal(fastHttpCounts.served - before.served, 2);
    assert.equal(fastHttpCounts.handedOver, before.handedOver);
  });

  it('hands a body that stalls to node:http, which still answers it whole', async () => {
    const body = bodyOf(10_000);
    const before = { ...fastHttpCounts };
    const reply = await exchange(
      port,
      [Buffer.concat([post(body), body.subarray(0, 10)]), body.subarray(10)],
      /X-Received: 10000\r\n[\s\S]*\r\n\r\n[A-Z]{10000}$/,
      2500,
    );
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(fastHttpCounts.handedOver - before.handedOver, 1);
  });

  it('hands a body cut short by a FIN, and one over 256 KiB, to node:http', async () => {
    let before = { ...fastHttpCounts };
    const short = await exchange(port, [post(bodyOf(1000)), bodyOf(10)], /$^/, 10, true);
    assert.doesNotMatch(short, /^HTTP\/1\.1 200/);
    assert.equal(fastHttpCounts.handedOver - before.handedOver, 1);

    const body = bodyOf(300 * 1024);
    before = { ...fastHttpCounts };
    const reply = await exchange(
      port,
      [post(body), body.subarray(0, 1000), body.subarray(1000)],
      /X-Received: 307200\r\n[\s\S]*\r\n\r\n[A-Z]{307200}$/,
      30,
    );
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(fastHttpCounts.handedOver - before.handedOver, 1);
  });
});
