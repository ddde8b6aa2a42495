// Slowloris: hundreds of stalled partial requests held open against the gateway, directly on its
// uwsgi and HTTP sockets. A normal request (direct and through nginx) must be served while they
// are held, and every stalled connection must be closed once socket-timeout passes (with a 408
// when it had sent part of a request). Figures go to the test's diagnostics.
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
import { APP, CRASH_PATTERN, type HeldSocket, holdSocket, requestPacket } from './lib.js';

const SOCKET_TIMEOUT = 3;
/** A closed-by-timeout connection may take this much longer than socket-timeout (scheduling). */
const CLOSE_MARGIN_MS = 4000;
const STALLED_UWSGI = 300;
const STALLED_HTTP = 150;

describe('hostile clients: slowloris', () => {
  let dir: string;
  let gateway: GatewayProcess;
  let nginx: Nginx;
  let unix: Target;
  let httpPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-slowloris-'));
    httpPort = await freePort();
    gateway = await startGateway([
      '--socket',
      join(dir, 'app.sock'),
      '--http-socket',
      `127.0.0.1:${httpPort}`,
      '--socket-timeout',
      String(SOCKET_TIMEOUT),
      '--disable-logging',
      APP,
    ]);
    unix = { path: join(dir, 'app.sock') };
    nginx = await startNginx({
      upstreams: [{ name: 'unix', pass: `unix:${join(dir, 'app.sock')}` }],
    });
  });

  after(async () => {
    await nginx?.stop();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function timedHello(): Promise<{ direct: number; nginx: number; http: number }> {
    let t = performance.now();
    const reply = await rawRequest(unix, requestPacket('GET', '/hello'), { timeoutMs: 10_000 });
    const direct = performance.now() - t;
    assert.equal(parseResponse(reply.data).status, 200);
    t = performance.now();
    const viaNginx = await httpCall(nginx.ports.unix!, { path: '/hello', timeoutMs: 10_000 });
    const nginxMs = performance.now() - t;
    assert.equal(viaNginx.status, 200);
    t = performance.now();
    const http = await httpCall(httpPort, { path: '/hello', timeoutMs: 10_000 });
    const httpMs = performance.now() - t;
    assert.equal(http.status, 200);
    return { direct, nginx: nginxMs, http: httpMs };
  }

  it(`serves normal requests while ${STALLED_UWSGI} partial uwsgi packets stall, then closes them with 408`, async (t) => {
    await timedHello(); // Warm-up: nginx's first upstream connection is slow.
    const baseline = await timedHello();
    const packet = requestPacket('GET', '/hello', { extra: [['HTTP_X_PAD', 'x'.repeat(200)]] });
    const started = performance.now();
    const held: HeldSocket[] = [];
    for (let i = 0; i < STALLED_UWSGI; i++) {
      // Three shapes: part of the header, the header and half the vars, all but the last byte.
      const cut = i % 3 === 0 ? 2 : i % 3 === 1 ? packet.length >> 1 : packet.length - 1;
      held.push(await holdSocket(unix, packet.subarray(0, cut)));
    }
    const silent: HeldSocket[] = [];
    for (let i = 0; i < 50; i++) silent.push(await holdSocket(unix, ''));
    const during = await timedHello();
    const stillOpen = held.filter((h) => h.isOpen()).length;
    t.diagnostic(
      `baseline direct ${baseline.direct.toFixed(1)} ms, nginx ${baseline.nginx.toFixed(1)} ms; ` +
        `with ${held.length + silent.length} stalled: direct ${during.direct.toFixed(1)} ms, ` +
        `nginx ${during.nginx.toFixed(1)} ms, http socket ${during.http.toFixed(1)} ms`,
    );
    // Served while the stalled connections were still held, not after they were dropped.
    assert.equal(
      stillOpen,
      held.length,
      'the stalled connections were closed before socket-timeout',
    );

    const ends = await Promise.all([...held, ...silent].map((h) => h.ended));
    const latest = Math.max(...ends.map((e) => e.at)) - started;
    t.diagnostic(
      `all stalled connections closed ${(latest / 1000).toFixed(2)} s after the first opened`,
    );
    assert.ok(latest < SOCKET_TIMEOUT * 1000 + CLOSE_MARGIN_MS, `closed after ${latest} ms`);
    for (const h of held) {
      assert.equal(parseResponse(h.data()).status, 408);
      assert.notEqual((await h.ended).how, 'reset');
    }
    for (const h of silent) assert.equal(h.data().length, 0);
    assert.ok(
      gateway.lines.some((l) => /ERR_UWSGI_VARS_TIMEOUT.*socket-timeout/.test(l)),
      'no log line naming socket-timeout',
    );
    assert.ok(gateway.lines.some((l) => /sent nothing in 3 s \(socket-timeout\)/.test(l)));
    // And the gateway is still fine afterwards (a warm-up already ran: the baseline).
    await timedHello();
  });

  it(`serves normal requests while ${STALLED_HTTP} partial HTTP requests stall on the HTTP socket, then closes them`, async (t) => {
    const http: Target = { host: '127.0.0.1', port: httpPort };
    const started = performance.now();
    const held: HeldSocket[] = [];
    for (let i = 0; i < STALLED_HTTP; i++) {
      held.push(await holdSocket(http, `GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow-${i}: `));
    }
    const during = await timedHello();
    t.diagnostic(
      `with ${STALLED_HTTP} stalled HTTP requests: http socket ${during.http.toFixed(1)} ms`,
    );
    assert.equal(held.filter((h) => h.isOpen()).length, held.length);
    const ends = await Promise.race([
      Promise.all(held.map((h) => h.ended)),
      new Promise<null>((r) => setTimeout(() => r(null), SOCKET_TIMEOUT * 1000 + CLOSE_MARGIN_MS)),
    ]);
    const open = held.filter((h) => h.isOpen()).length;
    for (const h of held) h.socket.destroy();
    assert.notEqual(
      ends,
      null,
      `${open} of ${held.length} stalled HTTP connections still open ${SOCKET_TIMEOUT} s (socket-timeout) + ${CLOSE_MARGIN_MS} ms later`,
    );
    for (const h of held) assert.match(h.data().toString('latin1'), /^HTTP\/1\.1 408 /);
    assert.ok(
      gateway.lines.some((l) => /ERR_HTTP_HEAD_TIMEOUT: .*: 3 s \(socket-timeout\)/.test(l)),
    );
    const latest = Math.max(...(ends ?? []).map((e) => e.at)) - started;
    t.diagnostic(
      `stalled HTTP connections closed ${(latest / 1000).toFixed(2)} s after the first opened`,
    );
  });

  it('logged nothing that looks like a crash', () => {
    assert.deepEqual(
      gateway.lines.filter((l) => CRASH_PATTERN.test(l)),
      [],
    );
  });
});
