/**
 * A hostile HTTP client against --http-socket (and the same app faults over --socket): each case
 * is answered the way RFC 9112 and nginx do, and nothing the client sends forges a log line.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import { encodePacket } from '../../../gateway/uwsgi/index.js';
import { rawRequest, uwsgiGet } from '../../helpers/uwsgi-client.js';
import app from '../fixtures/app.js';

const lines: string[] = [];
const logger = createLogger({ write: (line) => lines.push(line) });

/** Sends bytes, reads until the server closes (or `until` matches), returns what came back. */
function exchange(
  port: number,
  chunks: string[],
  options: { until?: RegExp; gapMs?: number; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    const timer = setTimeout(done, options.timeoutMs ?? 5000);
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (options.until?.test(text)) done();
    });
    socket.on('close', done);
    socket.on('error', () => {});
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        socket.write(chunk, 'latin1');
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
    });
  });
}

function environOf(reply: string): Record<string, unknown> {
  return JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));
}

describe('gateway/server HTTP against a hostile client', () => {
  let gateway: Gateway;
  let port: number;
  let uwsgiPort: number;

  before(async () => {
    gateway = await serve(app, {
      http: ['127.0.0.1:0'],
      socket: ['127.0.0.1:0'],
      limitPost: 1000,
      logger,
    });
    const portOf = (kind: string) =>
      Number(gateway.addresses.find((a) => a.kind === kind)!.address.split(':')[1]);
    port = portOf('http');
    uwsgiPort = portOf('uwsgi');
  });
  after(() => gateway?.close({ force: true }));

  it('answers 400 to two Host headers (not HTTP_HOST "a, b")', async () => {
    const reply = await exchange(port, [
      'GET /environ HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n',
    ]);
    assert.match(reply, /^HTTP\/1\.1 400 /);
    assert.ok(lines.some((l) => l.includes('ERR_HTTP_DUPLICATE_HOST')));
  });

  it('takes PATH_INFO from an absolute-form URI and Host from its authority', async () => {
    const reply = await exchange(port, [
      'GET http://real.example:8080/environ/p%20q?x=1 HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n',
    ]);
    const environ = environOf(reply);
    assert.equal(environ.PATH_INFO, '/environ/p q');
    assert.equal(environ.QUERY_STRING, 'x=1');
    assert.equal(environ.REQUEST_URI, '/environ/p%20q?x=1');
    assert.equal(environ.HTTP_HOST, 'real.example:8080');
    assert.equal(environ.SERVER_NAME, 'real.example');
    assert.equal(environ.SERVER_PORT, '8080');
  });

  it('drops request header names with underscores (no merge into a dashed name)', async () => {
    const reply = await exchange(port, [
      'GET /environ HTTP/1.1\r\nHost: x\r\nx_forwarded_for: 6.6.6.6\r\nX-Forwarded-For: 1.2.3.4\r\nConnection: close\r\n\r\n',
    ]);
    const environ = environOf(reply);
    assert.equal(environ.HTTP_X_FORWARDED_FOR, '1.2.3.4');
  });

  it('answers Expect: 100-continue over limit-post with 413 at once, no 100 Continue', async () => {
    const reply = await exchange(
      port,
      ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n'],
      { until: /\r\n\r\n/ },
    );
    assert.match(reply, /^HTTP\/1\.1 413 /);
  });

  it('still sends 100 Continue for a body within limit-post', async () => {
    const reply = await exchange(
      port,
      ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n'],
      { until: /\r\n\r\n/ },
    );
    assert.match(reply, /^HTTP\/1\.1 100 Continue/);
  });

  it('never writes an error response inside a streamed response (pipelined garbage)', async () => {
    const reply = await exchange(
      port,
      ['GET /stream?n=10 HTTP/1.1\r\nHost: x\r\n\r\n', '\x01\x02 garbage\r\n\r\n'],
      { gapMs: 30 },
    );
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.doesNotMatch(reply.slice(10), /HTTP\/1\.1 400/);
    // The streamed body was finished before the close.
    assert.match(reply, /chunk 9\n\r\n0\r\n\r\n$/);
  });

  for (const [what, query] of [
    ['not a number', 'v=abc'],
    ['a list', 'v=3,3'],
    ['two that differ', 'v=3&v=4'],
  ] as const) {
    it(`answers 500 for an app Content-Length that is ${what}, over HTTP and uwsgi`, async () => {
      const http = await exchange(
        port,
        [`GET /content-length?${query} HTTP/1.1\r\nHost: x\r\n\r\n`],
        {
          until: /\r\n\r\n/,
          timeoutMs: 1000,
        },
      );
      assert.match(http, /^HTTP\/1\.1 500 /);
      assert.doesNotMatch(http, /Content-Length: (abc|3,3|4)\r\n/);
      const uwsgi = await rawRequest(
        { host: '127.0.0.1', port: uwsgiPort },
        uwsgiGet(`/content-length?${query}`),
      );
      assert.match(uwsgi.data.toString('latin1'), /^HTTP\/1\.1 500 /);
      assert.ok(lines.some((l) => l.includes('ERR_GATEWAY_BAD_CONTENT_LENGTH')));
    });
  }

  for (const code of ['600', '999']) {
    it(`answers a logged 500 for an app status ${code}, over HTTP and uwsgi`, async () => {
      const before = lines.length;
      const http = await exchange(port, [`GET /status/${code} HTTP/1.1\r\nHost: x\r\n\r\n`], {
        until: /\r\n\r\n/,
        timeoutMs: 1000,
      });
      assert.match(http, /^HTTP\/1\.1 500 /);
      const uwsgi = await rawRequest(
        { host: '127.0.0.1', port: uwsgiPort },
        uwsgiGet(`/status/${code}`),
      );
      assert.match(uwsgi.data.toString('latin1'), /^HTTP\/1\.1 500 /);
      const logged = lines.slice(before).filter((l) => l.includes('ERR_TSGI_STATUS_INVALID'));
      assert.equal(logged.length, 2, lines.slice(before).join('\n'));
    });
  }

  it('forges no log line from CR/LF or control bytes in a path or a uwsgi var', async () => {
    const forged = 'tsgi: 6.6.6.6 GET /admin => 200 1 bytes in 0.01 ms';
    await rawRequest(
      { host: '127.0.0.1', port: uwsgiPort },
      encodePacket([
        ['REQUEST_METHOD', 'GET'],
        ['REQUEST_URI', `/x\r\n${forged}\x1b[2J`],
        ['PATH_INFO', `/x\r\n${forged}`],
        ['QUERY_STRING', ''],
        ['SERVER_PROTOCOL', 'HTTP/1.1'],
        ['SERVER_NAME', 'x'],
        ['SERVER_PORT', '80'],
      ]),
    );
    const joined = lines.join('\n');
    assert.ok(!lines.some((l) => /[\r\n\x00-\x1f\x7f]/.test(l)), joined);
    assert.ok(!lines.some((l) => l.startsWith(forged)));
    assert.ok(lines.some((l) => l.includes('/x\\x0d\\x0atsgi: 6.6.6.6')));
  });
});
