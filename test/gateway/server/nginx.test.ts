// The gateway (the real CLI, as a child process) behind Debian's nginx on loopback.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodePacket } from '../../../gateway/uwsgi/index.js';
import { type GatewayProcess, startGateway } from '../../helpers/gateway.js';
import { headerValues, httpCall } from '../../helpers/http-client.js';
import { type Nginx, startNginx } from '../../helpers/nginx.js';
import { freePort } from '../../helpers/ports.js';
import { parseResponse, rawRequest } from '../../helpers/uwsgi-client.js';

const APP = 'test/gateway/fixtures/app.ts';

describe('gateway behind nginx', () => {
  let dir: string;
  let gateway: GatewayProcess;
  let strict: GatewayProcess;
  let nginx: Nginx;
  let unixSocket: string;
  let httpPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-e2e-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    unixSocket = join(dir, 'app.sock');
    const tcpPort = await freePort();
    const tlsPort = await freePort();
    httpPort = await freePort();
    gateway = await startGateway([
      '--socket',
      unixSocket,
      '--socket',
      `127.0.0.1:${tcpPort}`,
      '--ssl-socket',
      `127.0.0.1:${tlsPort},${cert},${key}`,
      '--http-socket',
      `127.0.0.1:${httpPort}`,
      '--chmod-socket',
      '660',
      '--listen',
      '512',
      APP,
    ]);
    const strictSocket = join(dir, 'strict.sock');
    strict = await startGateway([
      '--socket',
      strictSocket,
      '--limit-post',
      '1000',
      '--buffer-size',
      '4096',
      APP,
    ]);
    nginx = await startNginx({
      upstreams: [
        { name: 'unix', pass: `unix:${unixSocket}` },
        { name: 'tcp', pass: `127.0.0.1:${tcpPort}` },
        { name: 'unbuffered', pass: `unix:${unixSocket}`, extra: 'uwsgi_request_buffering off;' },
        { name: 'tls', pass: `suwsgi://127.0.0.1:${tlsPort}` },
        { name: 'http', pass: `http://127.0.0.1:${httpPort}`, protocol: 'proxy' },
        { name: 'strict', pass: `unix:${strictSocket}` },
      ],
    });
  });

  after(async () => {
    await nginx?.stop();
    await gateway?.stop();
    await strict?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const port = (name: string) => nginx.ports[name]!;

  it('serves GET on the unix, TCP, TLS and HTTP upstreams', async () => {
    for (const name of ['unix', 'tcp', 'tls', 'http']) {
      const res = await httpCall(port(name), { path: '/hello' });
      assert.equal(res.status, 200, name);
      assert.equal(res.body.toString(), 'Hello, world!', name);
    }
  });

  it('echoes POST bodies, text and binary', async () => {
    const binary = Buffer.from(Array.from({ length: 256 * 40 }, (_, i) => i % 256));
    for (const name of ['unix', 'tcp', 'tls', 'unbuffered', 'http']) {
      const text = await httpCall(port(name), {
        method: 'POST',
        path: '/echo',
        headers: [['Content-Type', 'text/plain']],
        body: Buffer.from('hello body'),
      });
      assert.equal(text.body.toString(), 'hello body', name);
      assert.deepEqual(headerValues(text, 'content-type'), ['text/plain']);
      const bin = await httpCall(port(name), { method: 'POST', path: '/echo', body: binary });
      assert.ok(bin.body.equals(binary), name);
    }
  });

  it('passes a 10 KB Cookie header (over uWSGI default buffer-size)', async () => {
    const cookie = `big=${'c'.repeat(10 * 1024)}`;
    const res = await httpCall(port('unix'), { path: '/environ', headers: [['Cookie', cookie]] });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body.toString()).HTTP_COOKIE, cookie);
  });

  it('answers a 5 MB POST the app ignores (no 502), buffered and unbuffered', async () => {
    const body = Buffer.alloc(5 * 1024 * 1024, 0x62);
    for (const name of ['unix', 'tcp', 'unbuffered', 'tls']) {
      const res = await httpCall(port(name), { method: 'POST', path: '/ignore-body', body });
      assert.equal(res.status, 200, name);
      assert.equal(res.body.toString(), 'ignored', name);
    }
  });

  it('takes a chunked upload through nginx: CONTENT_LENGTH set, no Transfer-Encoding', async () => {
    const parts = [Buffer.from('part one, '), Buffer.from('part two, '), Buffer.from('end')];
    const echo = await httpCall(port('unix'), { method: 'POST', path: '/echo', body: parts });
    assert.equal(echo.body.toString(), 'part one, part two, end');
    const env = await httpCall(port('unix'), { method: 'POST', path: '/environ', body: parts });
    const environ = JSON.parse(env.body.toString());
    assert.equal(environ.CONTENT_LENGTH, '23');
    assert.equal(environ.HTTP_TRANSFER_ENCODING, undefined);
    assert.equal(environ.HTTP_CONTENT_LENGTH, undefined);
  });

  it('sends a 10 MB response whole', async () => {
    for (const name of ['unix', 'tls', 'http']) {
      const res = await httpCall(port(name), { path: '/big' });
      assert.equal(res.status, 200);
      assert.equal(res.body.length, 10 * 1024 * 1024, name);
      assert.ok(res.body.every((b) => b === 0x61));
    }
  });

  it('streams a response without a length', async () => {
    for (const name of ['unix', 'http']) {
      const res = await httpCall(port(name), { path: '/stream?n=4' });
      assert.equal(res.body.toString(), 'chunk 0\nchunk 1\nchunk 2\nchunk 3\n', name);
    }
  });

  it('keeps two Set-Cookie headers and duplicate response headers', async () => {
    for (const name of ['unix', 'http']) {
      const res = await httpCall(port(name), { path: '/cookies' });
      assert.deepEqual(headerValues(res, 'set-cookie'), ['a=1; Path=/', 'b=2; Path=/'], name);
      const dup = await httpCall(port(name), { path: '/dup-headers' });
      assert.deepEqual(headerValues(dup, 'x-dup'), ['one', 'two'], name);
    }
  });

  it('joins duplicate request headers (`, `, and `; ` for Cookie)', async () => {
    for (const name of ['unix', 'http']) {
      const res = await httpCall(port(name), {
        path: '/environ',
        headers: [
          ['X-Dup', 'one'],
          ['X-Dup', 'two'],
          ['Cookie', 'a=1'],
          ['Cookie', 'b=2'],
        ],
      });
      const env = JSON.parse(res.body.toString());
      assert.equal(env.HTTP_X_DUP, 'one, two', name);
      assert.equal(env.HTTP_COOKIE, 'a=1; b=2', name);
    }
  });

  it('answers HEAD with headers only, and 204/304 without a body', async () => {
    const head = await httpCall(port('unix'), { method: 'HEAD', path: '/hello' });
    assert.equal(head.status, 200);
    assert.deepEqual(headerValues(head, 'content-length'), ['13']);
    assert.equal(head.body.length, 0);
    for (const code of [204, 304]) {
      for (const name of ['unix', 'http']) {
        const res = await httpCall(port(name), { path: `/status/${code}` });
        assert.equal(res.status, code, name);
        assert.equal(res.body.length, 0);
      }
    }
  });

  it('decodes percent-encoded and unicode paths to latin-1 bytes; QUERY_STRING stays raw', async () => {
    for (const name of ['unix', 'http']) {
      const res = await httpCall(port(name), {
        path: '/environ/a%20b/caf%C3%A9/%E2%82%AC?q=%2F%20x',
      });
      const env = JSON.parse(res.body.toString());
      assert.equal(env.PATH_INFO, '/environ/a b/caf\u00c3\u00a9/\u00e2\u0082\u00ac', name);
      assert.equal(env.QUERY_STRING, 'q=%2F%20x', name);
      assert.equal(env.REQUEST_URI, '/environ/a%20b/caf%C3%A9/%E2%82%AC?q=%2F%20x', name);
    }
  });

  it('answers 413 over limit-post through nginx, naming the option in the log', async () => {
    const res = await httpCall(port('strict'), {
      method: 'POST',
      path: '/echo',
      body: Buffer.alloc(50_000),
    });
    assert.equal(res.status, 413);
    await strict.waitForLine(/ERR_UWSGI_BODY_TOO_LARGE.*limit-post/);
  });

  it('answers 431 when the vars block is over buffer-size, naming the option', async () => {
    const res = await httpCall(port('strict'), {
      path: '/hello',
      headers: [['X-Big', 'x'.repeat(5000)]],
    });
    assert.equal(res.status, 431);
    await strict.waitForLine(/ERR_UWSGI_BLOCK_TOO_LARGE.*buffer-size/);
  });

  it('answers ping on the socket nginx uses', async () => {
    const reply = await rawRequest({ path: unixSocket }, Uint8Array.of(100, 0, 0, 0));
    assert.deepEqual([...reply.data], [0x64, 0, 0, 1]);
  });

  it('keeps serving after garbage packets', async () => {
    for (const garbage of [
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.from([0, 4, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0, 0xff, 0xff, 0, 1, 2, 3]),
      Buffer.from([0xde, 0xad]),
    ]) {
      await rawRequest({ path: unixSocket }, garbage, { timeoutMs: 2000, halfClose: true });
    }
    const res = await httpCall(port('unix'), { path: '/hello' });
    assert.equal(res.status, 200);
    const direct = parseResponse(
      (
        await rawRequest(
          { path: unixSocket },
          encodePacket({ REQUEST_METHOD: 'GET', PATH_INFO: '/hello' }),
        )
      ).data,
    );
    assert.equal(direct.status, 200);
  });

  it('survives a client that aborts mid-response, and closes the app body', async () => {
    const before = JSON.parse(
      (await httpCall(port('unix'), { path: '/stream-stats' })).body.toString(),
    );
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: port('unix'), path: '/endless' },
        (res) => {
          let seen = 0;
          res.on('data', (c: Buffer) => {
            seen += c.length;
            if (seen > 200_000) {
              req.destroy();
              resolve();
            }
          });
        },
      );
      req.on('error', (e) => {
        if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
      });
      req.end();
    });
    let stats = before;
    for (let i = 0; i < 100 && stats.closedStreams === before.closedStreams; i++) {
      await new Promise((r) => setTimeout(r, 100));
      stats = JSON.parse((await httpCall(port('unix'), { path: '/stream-stats' })).body.toString());
    }
    assert.equal(stats.closedStreams, before.closedStreams + 1);
    assert.equal((await httpCall(port('unix'), { path: '/hello' })).status, 200);
  });

  it('reuses a keep-alive connection on the HTTP socket', async () => {
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ports: Array<string | undefined> = [];
    for (let i = 0; i < 3; i++) {
      const res = await httpCall(httpPort, { path: '/environ', agent });
      ports.push(JSON.parse(res.body.toString()).REMOTE_PORT);
    }
    agent.destroy();
    assert.equal(new Set(ports).size, 1);
  });

  it('left nothing in nginx error.log that means a 502', () => {
    const log = nginx.errorLog();
    assert.doesNotMatch(
      log,
      /upstream prematurely closed|reset by peer\) while (sending request|reading response header)/,
    );
  });

  it('logs one line per request with method, uri, status, bytes and ms', () => {
    assert.ok(gateway.lines.some((l) => /GET \/hello => 200 13 bytes in [\d.]+ ms/.test(l)));
  });
});
