import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Logger } from '../../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import { UwsgiSignalRegistry } from '../../../gateway/server/uwsgi-signals.js';
import { encodeHeader, encodePacket, encodeVars } from '../../../gateway/uwsgi/index.js';
import { header, parseResponse, rawRequest, type Target } from '../../helpers/uwsgi-client.js';
import app from '../fixtures/app.js';

const lines: string[] = [];
const logger: Logger = {
  info: (m) => lines.push(`info: ${m}`),
  warn: (m) => lines.push(`warn: ${m}`),
  error: (m) => lines.push(`error: ${m}`),
  request: (m) => lines.push(`request: ${m}`),
};

function vars(
  method: string,
  uri: string,
  extra: Record<string, string> = {},
): Array<[string, string]> {
  const q = uri.indexOf('?');
  return [
    ['REQUEST_METHOD', method],
    ['REQUEST_URI', uri],
    ['PATH_INFO', decodeURIComponent(q === -1 ? uri : uri.slice(0, q))],
    ['QUERY_STRING', q === -1 ? '' : uri.slice(q + 1)],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['SERVER_NAME', 'test.local'],
    ['SERVER_PORT', '80'],
    ['REMOTE_ADDR', '127.0.0.1'],
    ...Object.entries(extra),
  ];
}

describe('gateway/server uwsgi socket (raw packets)', () => {
  let gateway: Gateway;
  let dir: string;
  let unix: Target;
  let tcp: Target;
  const signals = new UwsgiSignalRegistry();
  const received: number[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-uwsgi-'));
    signals.on(17, (n) => {
      received.push(n);
    });
    gateway = await serve(app, {
      socket: [join(dir, 'app.sock'), '127.0.0.1:0'],
      bufferSize: 4096,
      limitPost: 1000,
      socketTimeout: 0.5,
      logger,
      signals,
    });
    unix = { path: join(dir, 'app.sock') };
    const [host, port] = gateway.addresses[1]!.address.split(':');
    tcp = { host: host!, port: Number(port) };
  });

  after(async () => {
    await gateway?.close({ force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a GET with a real status line and Content-Length, on unix and TCP', async () => {
    for (const target of [unix, tcp]) {
      const reply = await rawRequest(target, encodePacket(vars('GET', '/hello')));
      const res = parseResponse(reply.data);
      assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
      assert.deepEqual(header(res, 'content-length'), ['13']);
      assert.equal(res.body.toString(), 'Hello, world!');
      assert.equal(reply.end, 'close');
    }
    assert.ok(
      lines.some((l) => /request: 127\.0\.0\.1 GET \/hello => 200 13 bytes in [\d.]+ ms/.test(l)),
    );
  });

  it('builds the environ by the nginx rules', async () => {
    const packet = encodePacket(
      [
        ['REQUEST_METHOD', 'POST'],
        ['REQUEST_URI', '/environ?a=1'],
        ['QUERY_STRING', 'a=1'],
        ['CONTENT_TYPE', 'text/plain'],
        ['CONTENT_LENGTH', '2'],
        ['HTTP_CONTENT_TYPE', 'text/plain'],
        ['HTTP_CONTENT_LENGTH', '2'],
        ['HTTP_TRANSFER_ENCODING', 'chunked'],
        ['HTTP_X_DUP', 'one'],
        ['HTTP_X_DUP', 'two'],
        ['HTTP_COOKIE', 'a=1'],
        ['HTTP_COOKIE', 'b=2'],
        ['HTTPS', 'on'],
        ['UWSGI_SCRIPT', 'evil'],
        ['UWSGI_SETENV', 'X=1'],
      ],
      { modifier1: 0, modifier2: 3, body: 'hi' },
    );
    const res = parseResponse((await rawRequest(unix, packet)).data);
    const env = JSON.parse(res.body.toString());
    assert.equal(env.PATH_INFO, '/environ', 'PATH_INFO derived from REQUEST_URI');
    assert.equal(env.SCRIPT_NAME, '');
    assert.equal(env.CONTENT_TYPE, 'text/plain');
    assert.equal(env.CONTENT_LENGTH, '2');
    assert.equal(env.HTTP_CONTENT_TYPE, undefined);
    assert.equal(env.HTTP_CONTENT_LENGTH, undefined);
    assert.equal(env.HTTP_TRANSFER_ENCODING, undefined);
    assert.equal(env.HTTP_X_DUP, 'one, two');
    assert.equal(env.HTTP_COOKIE, 'a=1; b=2');
    assert.equal(env['wsgi.url_scheme'], 'https');
    assert.equal(env['uwsgi.modifier1'], 0);
    assert.equal(env['uwsgi.modifier2'], 3);
    assert.equal(env.UWSGI_SCRIPT, undefined);
    assert.equal(env.UWSGI_SETENV, undefined);
    assert.equal(process.env.X, undefined);
  });

  it('takes the scheme from REQUEST_SCHEME too', async () => {
    const res = parseResponse(
      (await rawRequest(unix, encodePacket(vars('GET', '/environ', { REQUEST_SCHEME: 'https' }))))
        .data,
    );
    assert.equal(JSON.parse(res.body.toString())['wsgi.url_scheme'], 'https');
    const plain = parseResponse(
      (await rawRequest(unix, encodePacket(vars('GET', '/environ')))).data,
    );
    assert.equal(JSON.parse(plain.body.toString())['wsgi.url_scheme'], 'http');
  });

  it('echoes a binary body sent byte by byte', async () => {
    const body = Uint8Array.from({ length: 256 }, (_, i) => i);
    const packet = encodePacket(vars('POST', '/echo', { CONTENT_LENGTH: '256' }), { body });
    const pieces = Array.from({ length: 40 }, (_, i) =>
      packet.subarray(i * 10, i === 39 ? undefined : (i + 1) * 10),
    );
    const res = parseResponse((await rawRequest(unix, pieces, { gapMs: 2 })).data);
    assert.equal(res.status, 200);
    assert.deepEqual([...res.body], [...body]);
  });

  it('answers ping with exactly 64 00 00 01 and logs no request', async () => {
    const before = lines.filter((l) => l.startsWith('request:')).length;
    const reply = await rawRequest(unix, Uint8Array.of(100, 0, 0, 0));
    assert.deepEqual([...reply.data], [0x64, 0, 0, 1]);
    assert.equal(lines.filter((l) => l.startsWith('request:')).length, before);
  });

  it('echoes the vars block for modifier1 101', async () => {
    const block = encodeVars({ A: 'b', C: '' });
    const packet = new Uint8Array([...encodeHeader(101, block.length, 0), ...block]);
    assert.deepEqual([...(await rawRequest(unix, packet)).data], [...block]);
  });

  it('answers a signal ff 00 00 01 with a handler, ff 00 00 00 without', async () => {
    assert.deepEqual(
      [...(await rawRequest(unix, Uint8Array.of(110, 0, 0, 17))).data],
      [0xff, 0, 0, 1],
    );
    assert.deepEqual(
      [...(await rawRequest(unix, Uint8Array.of(110, 0, 0, 18))).data],
      [0xff, 0, 0, 0],
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(received, [17]);
  });

  it('closes on an unknown modifier1 with a log line', async () => {
    const reply = await rawRequest(unix, encodePacket(vars('GET', '/hello'), { modifier1: 42 }));
    assert.equal(reply.data.length, 0);
    assert.ok(
      lines.some((l) => l.includes('ERR_UWSGI_UNKNOWN_MODIFIER') && l.includes('modifier1 42')),
    );
  });

  it('answers 431 for a vars block over buffer-size, naming the option', async () => {
    const packet = encodePacket(vars('GET', '/hello', { HTTP_COOKIE: 'x'.repeat(5000) }));
    const res = parseResponse((await rawRequest(unix, packet)).data);
    assert.equal(res.status, 431);
    assert.ok(
      lines.some((l) => l.includes('ERR_UWSGI_BLOCK_TOO_LARGE') && l.includes('(buffer-size)')),
    );
  });

  it('answers 413 over limit-post and drains the body first (no reset)', async () => {
    const packet = encodePacket(vars('POST', '/echo', { CONTENT_LENGTH: '5000' }), {
      body: new Uint8Array(5000),
    });
    const reply = await rawRequest(unix, packet);
    assert.equal(reply.end, 'close');
    assert.equal(parseResponse(reply.data).status, 413);
    assert.ok(
      lines.some((l) => l.includes('ERR_UWSGI_BODY_TOO_LARGE') && l.includes('(limit-post)')),
    );
  });

  it('drains a body the app ignores before closing', async () => {
    const packet = encodePacket(vars('POST', '/ignore-body', { CONTENT_LENGTH: '900' }), {
      body: new Uint8Array(900),
    });
    const reply = await rawRequest(tcp, [packet.subarray(0, 200), packet.subarray(200)], {
      gapMs: 20,
    });
    assert.equal(reply.end, 'close');
    assert.equal(parseResponse(reply.data).body.toString(), 'ignored');
  });

  it('answers 400 to garbage and plain HTTP, and keeps serving', async () => {
    const garbage = [
      Uint8Array.of(0, 7, 0, 0, 0, 0, 3, 0, 0x61, 0x62, 0x63), // zero-length key
      new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Uint8Array.of(0, 5, 0, 0, 1, 0, 0x41, 9, 0), // value overrun
    ];
    for (const bytes of garbage) {
      const reply = await rawRequest(unix, bytes);
      assert.equal(parseResponse(reply.data).status, 400);
    }
    const res = parseResponse((await rawRequest(unix, encodePacket(vars('GET', '/hello')))).data);
    assert.equal(res.status, 200);
  });

  it('answers 400 to a bad CONTENT_LENGTH and to a packet without REQUEST_METHOD', async () => {
    const bad = await rawRequest(
      unix,
      encodePacket(vars('POST', '/echo', { CONTENT_LENGTH: '12abc' })),
    );
    assert.equal(parseResponse(bad.data).status, 400);
    const none = await rawRequest(unix, encodePacket({ PATH_INFO: '/' }));
    assert.equal(parseResponse(none.data).status, 400);
  });

  it('times out a stalled vars block with 408 (socket-timeout)', async () => {
    const packet = encodePacket(vars('GET', '/hello'));
    const reply = await rawRequest(unix, packet.subarray(0, 10));
    assert.equal(parseResponse(reply.data).status, 408);
    assert.ok(
      lines.some((l) => l.includes('ERR_UWSGI_VARS_TIMEOUT') && l.includes('(socket-timeout)')),
    );
  });

  it('fails the body read when the body stalls: the app did not catch it, so 408', async () => {
    const packet = encodePacket(vars('POST', '/echo', { CONTENT_LENGTH: '10' }), { body: 'abc' });
    const reply = await rawRequest(unix, packet);
    assert.equal(parseResponse(reply.data).status, 408);
    assert.ok(
      lines.some((l) => l.includes('ERR_UWSGI_BODY_TIMEOUT') && l.includes('(socket-timeout)')),
    );
  });

  it('refuses a header with CR/LF: 500, never written', async () => {
    const res = parseResponse((await rawRequest(unix, encodePacket(vars('GET', '/crlf')))).data);
    assert.equal(res.status, 500);
    assert.ok(!res.body.toString().includes('Injected'));
    assert.equal(header(res, 'injected').length, 0);
  });

  it('sends headers only for HEAD, 204 and 304', async () => {
    const head = await rawRequest(unix, encodePacket(vars('HEAD', '/hello')));
    const h = parseResponse(head.data);
    assert.equal(h.status, 200);
    assert.deepEqual(header(h, 'content-length'), ['13']);
    assert.equal(h.body.length, 0);
    for (const code of [204, 304]) {
      const r = parseResponse(
        (await rawRequest(unix, encodePacket(vars('GET', `/status/${code}`)))).data,
      );
      assert.equal(r.status, code);
      assert.equal(r.body.length, 0);
      assert.equal(header(r, 'content-length').length, 0);
    }
  });

  it('keeps serving the request when the peer half-closes after sending', async () => {
    const reply = await rawRequest(unix, encodePacket(vars('GET', '/stream?n=3')), {
      halfClose: true,
    });
    const res = parseResponse(reply.data);
    assert.equal(res.body.toString(), 'chunk 0\nchunk 1\nchunk 2\n');
    assert.equal(header(res, 'content-length').length, 0, 'streamed: ends at close');
  });
});
