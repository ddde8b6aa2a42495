// Hostile requests against the limits, directly on the uwsgi and HTTP sockets and through nginx:
// oversized vars (431), huge CONTENT_LENGTH (413), a body shorter than CONTENT_LENGTH (a timeout,
// 408, or 400 when the peer closes; never a hang), plain HTTP on a uwsgi socket (400), CR/LF in
// app headers (500, never written), UWSGI_* control vars (ignored).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGateway } from '../helpers/gateway.js';
import { httpCall } from '../helpers/http-client.js';
import { type Nginx, startNginx } from '../helpers/nginx.js';
import { freePort } from '../helpers/ports.js';
import { parseResponse, rawRequest, type Target } from '../helpers/uwsgi-client.js';
import { APP, CRASH_PATTERN, holdSocket, requestPacket } from './lib.js';

const SOCKET_TIMEOUT = 2;
/** Longest a refused or timed-out connection may stay open: socket-timeout twice plus slack. */
const DEADLINE_MS = SOCKET_TIMEOUT * 2000 + 4000;

describe('hostile clients: limits and refusals', () => {
  let dir: string;
  /** Defaults (buffer-size 65535, max-vars 1000), limit-post 1 MB. */
  let lax: GatewayProcess;
  /** buffer-size 4096, limit-post 1000. */
  let strict: GatewayProcess;
  let nginx: Nginx;
  let laxUnix: Target;
  let strictUnix: Target;
  let laxHttp: number;
  let strictHttp: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-limits-'));
    laxHttp = await freePort();
    strictHttp = await freePort();
    const common = ['--socket-timeout', String(SOCKET_TIMEOUT)];
    lax = await startGateway([
      '--socket',
      join(dir, 'lax.sock'),
      '--http-socket',
      `127.0.0.1:${laxHttp}`,
      '--limit-post',
      '1000000',
      ...common,
      APP,
    ]);
    strict = await startGateway([
      '--socket',
      join(dir, 'strict.sock'),
      '--http-socket',
      `127.0.0.1:${strictHttp}`,
      '--buffer-size',
      '4096',
      '--limit-post',
      '1000',
      ...common,
      APP,
    ]);
    laxUnix = { path: join(dir, 'lax.sock') };
    strictUnix = { path: join(dir, 'strict.sock') };
    nginx = await startNginx({
      upstreams: [
        { name: 'lax', pass: `unix:${join(dir, 'lax.sock')}` },
        { name: 'strict', pass: `unix:${join(dir, 'strict.sock')}` },
        {
          name: 'control',
          pass: `unix:${join(dir, 'lax.sock')}`,
          // What an operator (or a copied uWSGI config) might send: must all be ignored.
          extra:
            'uwsgi_param UWSGI_SCRIPT evil:app; uwsgi_param UWSGI_SETENV TSGI_EVIL_NGINX=1; ' +
            'uwsgi_param UWSGI_CHDIR /; uwsgi_param UWSGI_POSTFILE /etc/passwd;',
        },
      ],
    });
  });

  after(async () => {
    await nginx?.stop();
    await lax?.stop();
    await strict?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function raw(target: Target, bytes: Uint8Array | Uint8Array[], halfClose = false) {
    const reply = await rawRequest(target, bytes, { timeoutMs: DEADLINE_MS, halfClose });
    assert.notEqual(reply.end, 'timeout', 'the connection outlived socket-timeout');
    return reply;
  }

  describe('oversized vars → 431', () => {
    it('direct: a vars block over buffer-size, naming buffer-size', async () => {
      const packet = requestPacket('GET', '/hello', { extra: [['HTTP_COOKIE', 'c'.repeat(5000)]] });
      const reply = await raw(strictUnix, packet);
      assert.equal(parseResponse(reply.data).status, 431);
      assert.notEqual(reply.end, 'reset');
      await strict.waitForLine(/ERR_UWSGI_BLOCK_TOO_LARGE.*buffer-size/);
    });

    it('direct: more vars than max-vars (1001 headers), naming max-vars', async () => {
      const extra = Array.from(
        { length: 1001 },
        (_, i) => [`HTTP_X_${i}`, 'v'] as [string, string],
      );
      const reply = await raw(laxUnix, requestPacket('GET', '/hello', { extra }));
      assert.equal(parseResponse(reply.data).status, 431);
      await lax.waitForLine(/ERR_UWSGI_TOO_MANY_VARS.*max-vars/);
    });

    it('through nginx: a 10 KB cookie over buffer-size 4096 gives the client 431, not 502', async () => {
      const res = await httpCall(nginx.ports.strict!, {
        path: '/hello',
        headers: [['Cookie', `a=${'x'.repeat(10_000)}`]],
      });
      assert.equal(res.status, 431);
    });

    it('HTTP socket: 10 KB of headers over buffer-size 4096 → 431', async () => {
      const res = await httpCall(strictHttp, {
        path: '/hello',
        headers: [['X-Big', 'x'.repeat(10_000)]],
      });
      assert.equal(res.status, 431);
    });
  });

  describe('huge CONTENT_LENGTH → 413', () => {
    for (const [name, length] of [
      ['just over limit-post', '1001'],
      ['a petabyte', '999999999999999'],
    ] as const) {
      it(`direct: ${name}, no body sent, answered at once and naming limit-post`, async () => {
        const packet = requestPacket('POST', '/echo', { contentLength: length });
        const reply = await raw(strictUnix, packet);
        assert.equal(parseResponse(reply.data).status, 413);
        await strict.waitForLine(new RegExp(`ERR_UWSGI_BODY_TOO_LARGE.*${length}.*limit-post`));
      });
    }

    it('direct: a CONTENT_LENGTH past 2^53 is a 400, not a wrapped number', async () => {
      const reply = await raw(
        laxUnix,
        requestPacket('POST', '/echo', { contentLength: '18446744073709551617' }),
      );
      assert.equal(parseResponse(reply.data).status, 400);
    });

    it('through nginx and on the HTTP socket: a body over limit-post → 413', async () => {
      const viaNginx = await httpCall(nginx.ports.strict!, {
        method: 'POST',
        path: '/echo',
        body: Buffer.alloc(5000, 1),
      });
      assert.equal(viaNginx.status, 413);
      const http = await httpCall(strictHttp, {
        method: 'POST',
        path: '/echo',
        body: Buffer.alloc(5000, 1),
      });
      assert.equal(http.status, 413);
    });
  });

  describe('CONTENT_LENGTH larger than what arrives → no hang', () => {
    it('direct, peer stalls: the body read times out with 408, naming socket-timeout', async () => {
      const packet = requestPacket('POST', '/echo', { contentLength: '100' });
      const reply = await raw(laxUnix, [packet, Buffer.from('only ten b')]);
      assert.equal(parseResponse(reply.data).status, 408);
      await lax.waitForLine(/ERR_UWSGI_BODY_TIMEOUT.*socket-timeout/);
    });

    it('direct, peer closes its side: 400 (body truncated)', async () => {
      const packet = requestPacket('POST', '/echo', { contentLength: '100' });
      const reply = await raw(laxUnix, [packet, Buffer.from('only ten b')], true);
      assert.equal(parseResponse(reply.data).status, 400);
    });

    it('HTTP socket, peer stalls mid-body: answered (408) and closed within socket-timeout', async () => {
      const held = await holdSocket(
        { host: '127.0.0.1', port: laxHttp },
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b',
      );
      const ended = await Promise.race([
        held.ended,
        new Promise<null>((r) => setTimeout(() => r(null), DEADLINE_MS)),
      ]);
      held.socket.destroy();
      assert.notEqual(
        ended,
        null,
        `still open ${DEADLINE_MS} ms later (socket-timeout ${SOCKET_TIMEOUT} s)`,
      );
      assert.match(held.data().toString('latin1'), /^HTTP\/1\.1 408 /);
    });
  });

  it('a packet cut short by a half-close → 400 naming the truncation, not a silent close', async () => {
    const packet = requestPacket('GET', '/hello');
    const reply = await raw(laxUnix, packet.subarray(0, packet.length >> 1), true);
    assert.equal(
      parseResponse(reply.data).status,
      400,
      `got ${reply.data.length} bytes (${reply.end})`,
    );
    await lax.waitForLine(/ERR_UWSGI_TRUNCATED/);
  });

  it('plain HTTP on a uwsgi socket with the default buffer-size → 400 at once, naming the mistake', async () => {
    const started = performance.now();
    const reply = await raw(laxUnix, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const ms = performance.now() - started;
    assert.equal(
      parseResponse(reply.data).status,
      400,
      `got ${reply.data.toString('latin1').slice(0, 40)} after ${ms} ms`,
    );
    await lax.waitForLine(/ERR_UWSGI_PLAIN_HTTP/);
  });

  describe('CR/LF in app headers → 500, never written', () => {
    for (const route of ['/crlf-header', '/crlf-name']) {
      it(`${route}: direct, through nginx, and on the HTTP socket`, async () => {
        const direct = await raw(laxUnix, requestPacket('GET', route));
        const text = direct.data.toString('latin1');
        assert.equal(parseResponse(direct.data).status, 500);
        assert.doesNotMatch(text, /evil|X-B/i);
        const viaNginx = await httpCall(nginx.ports.lax!, { path: route });
        assert.equal(viaNginx.status, 500);
        assert.ok(!viaNginx.headers.some(([n, v]) => /set-cookie|x-b/i.test(n) || /evil/.test(v)));
        const http = await httpCall(laxHttp, { path: route });
        assert.equal(http.status, 500);
        assert.ok(!http.headers.some(([n, v]) => /set-cookie|x-b/i.test(n) || /evil/.test(v)));
      });
    }

    it('logged each refusal with an ERR_ code', () => {
      assert.ok(lax.lines.some((l) => /ERR_(TSGI_HEADER_INVALID|GATEWAY_HEADER_CRLF)/.test(l)));
    });
  });

  describe('UWSGI_* vars are ignored', () => {
    const hostile: Array<[string, string]> = [
      ['UWSGI_SCRIPT', 'evil:app'],
      ['UWSGI_MODULE', 'evil'],
      ['UWSGI_FILE', '/etc/passwd'],
      ['UWSGI_SETENV', 'TSGI_EVIL=1'],
      ['UWSGI_CHDIR', '/'],
      ['UWSGI_POSTFILE', '/etc/passwd'],
      ['UWSGI_APPID', 'other'],
      ['UWSGI_TOUCH_RELOAD', join(tmpdir(), 'tsgi-evil-touch')],
    ];

    it('direct: not in the environ, no env set, no chdir, no file read as the body', async () => {
      const environ = JSON.parse(
        parseResponse(
          (await raw(laxUnix, requestPacket('GET', '/environ', { extra: hostile }))).data,
        ).body.toString(),
      ) as Record<string, string>;
      assert.deepEqual(
        Object.keys(environ).filter((k) => k.startsWith('UWSGI_')),
        [],
      );
      const proc = JSON.parse(
        parseResponse(
          (await raw(laxUnix, requestPacket('GET', '/process', { extra: hostile }))).data,
        ).body.toString(),
      ) as { cwd: string; evilEnv: string[] };
      assert.deepEqual(proc.evilEnv, []);
      assert.notEqual(proc.cwd, '/');
      const echo = parseResponse(
        (await raw(laxUnix, requestPacket('POST', '/echo', { extra: hostile }))).data,
      );
      assert.equal(echo.status, 200);
      assert.equal(echo.body.length, 0, 'UWSGI_POSTFILE was read as the body');
    });

    it('through nginx (uwsgi_param UWSGI_*): same', async () => {
      const environ = JSON.parse(
        (await httpCall(nginx.ports.control!, { path: '/environ' })).body.toString(),
      );
      assert.deepEqual(
        Object.keys(environ).filter((k) => k.startsWith('UWSGI_')),
        [],
      );
      const proc = JSON.parse(
        (await httpCall(nginx.ports.control!, { path: '/process' })).body.toString(),
      );
      assert.deepEqual(proc.evilEnv, []);
      assert.notEqual(proc.cwd, '/');
      const echo = await httpCall(nginx.ports.control!, { method: 'POST', path: '/echo' });
      assert.equal(echo.body.length, 0);
    });
  });

  it('logged nothing that looks like a crash, and both gateways still serve', async () => {
    for (const g of [lax, strict]) {
      assert.deepEqual(
        g.lines.filter((l) => CRASH_PATTERN.test(l)),
        [],
      );
    }
    for (const target of [laxUnix, strictUnix]) {
      assert.equal(
        parseResponse((await raw(target, requestPacket('GET', '/hello'))).data).status,
        200,
      );
    }
  });
});
