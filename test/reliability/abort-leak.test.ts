// Clients that abort mid-response must not leak: 20 downloads of 50 MB each, aborted after the
// first megabyte (directly on the uwsgi socket, through nginx, and on the HTTP socket), leave the
// gateway's RSS (after a GC, which the gateway exposes through --expose-gc here) within a generous
// bound of where it was, and every aborted request is logged and released.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGateway } from '../helpers/gateway.js';
import { httpCall } from '../helpers/http-client.js';
import { type Nginx, startNginx } from '../helpers/nginx.js';
import { freePort } from '../helpers/ports.js';
import { openSocket, type Target } from '../helpers/uwsgi-client.js';
import { APP, CRASH_PATTERN, requestPacket, sleep } from './lib.js';

const DOWNLOADS = 20;
const MB = 50;
/** How long the client behind nginx stops reading before it aborts. */
const STALL_MS = 300;
/** RSS may grow this much over 20 × 50 MB aborted (a leak of the bodies would be ~1 GB). */
const RSS_BOUND = 64 * 1024 * 1024;

interface Memory {
  rss: number;
  heapUsed: number;
  gc: boolean;
}

/** Reads `bytes` of the response then destroys the socket (the client goes away). */
function abortUwsgi(target: Target, uri: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = openSocket(target);
    let got = 0;
    socket.on('error', reject);
    socket.on('data', (c: Buffer) => {
      got += c.length;
      if (got >= bytes) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('close', () => resolve(got));
    socket.once('connect', () => socket.write(requestPacket('GET', uri)));
  });
}

/**
 * Reads `bytes` of the response, stops reading for `pauseMs` (a client that stalls before it goes
 * away; a loaded machine makes any client one), then destroys the connection.
 */
function abortHttp(port: number, path: string, bytes: number, pauseMs = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false });
    req.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' ? resolve(0) : reject(e),
    );
    req.on('response', (res) => {
      let got = 0;
      res.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= bytes && !res.isPaused()) {
          res.pause();
          setTimeout(() => {
            req.destroy();
            resolve(got);
          }, pauseMs);
        }
      });
      res.on('error', () => resolve(got));
      res.on('end', () => resolve(got));
    });
    req.end();
  });
}

describe('hostile clients: aborted downloads do not leak', () => {
  let dir: string;
  let gateway: GatewayProcess;
  let nginx: Nginx;
  let unix: Target;
  let httpPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-abort-'));
    httpPort = await freePort();
    gateway = await startGateway(
      ['--socket', join(dir, 'app.sock'), '--http-socket', `127.0.0.1:${httpPort}`, APP],
      { env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() } },
    );
    unix = { path: join(dir, 'app.sock') };
    nginx = await startNginx({
      // By default nginx reads a response into a temp file (up to 1 GB) as fast as the gateway
      // sends it, whatever the client reads: a client that stalls before it aborts lets nginx
      // take all 50 MB, and the gateway, having sent the whole response, has no abort to see.
      // Without the temp file nginx reads only as the client does, so the abort reaches us.
      upstreams: [
        {
          name: 'unix',
          pass: `unix:${join(dir, 'app.sock')}`,
          extra: 'uwsgi_max_temp_file_size 0;',
        },
      ],
    });
  });

  after(async () => {
    await nginx?.stop();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function memory(): Promise<Memory> {
    return JSON.parse((await httpCall(httpPort, { path: '/memory' })).body.toString()) as Memory;
  }

  const aborted = () =>
    gateway.lines.filter((l) => /GET \/download\?mb=\d+ => 200 \((aborted|client gone)\)/.test(l))
      .length;

  it(`RSS stays within ${RSS_BOUND >> 20} MB over ${DOWNLOADS} aborted ${MB} MB downloads per path`, async (t) => {
    const uri = `/download?mb=${MB}`;
    // Warm-up: one aborted download on each path, so buffers and JIT are in place.
    await abortUwsgi(unix, uri, 1 << 20);
    await abortHttp(nginx.ports.unix!, uri, 1 << 20);
    await abortHttp(httpPort, uri, 1 << 20);
    await sleep(300);
    const before = await memory();
    assert.ok(before.gc, 'the gateway did not expose gc');
    const logged = aborted();
    for (let i = 0; i < DOWNLOADS; i++) {
      assert.ok((await abortUwsgi(unix, uri, 1 << 20)) >= 1 << 20);
      assert.ok((await abortHttp(nginx.ports.unix!, uri, 1 << 20, STALL_MS)) >= 1 << 20);
      assert.ok((await abortHttp(httpPort, uri, 1 << 20)) >= 1 << 20);
    }
    // Each abort is noticed (a write fails or the socket closes): wait for the log lines.
    const deadline = Date.now() + 20_000;
    while (aborted() - logged < DOWNLOADS * 3 && Date.now() < deadline) await sleep(100);
    const after = await memory();
    t.diagnostic(
      `RSS before ${(before.rss / 2 ** 20).toFixed(1)} MB, after ${(after.rss / 2 ** 20).toFixed(1)} MB ` +
        `(heap ${(before.heapUsed / 2 ** 20).toFixed(1)} → ${(after.heapUsed / 2 ** 20).toFixed(1)} MB) ` +
        `over ${DOWNLOADS * 3} aborted ${MB} MB downloads`,
    );
    assert.equal(
      aborted() - logged,
      DOWNLOADS * 3,
      'not every aborted download was logged as aborted',
    );
    assert.ok(
      after.rss - before.rss < RSS_BOUND,
      `RSS grew ${((after.rss - before.rss) / 2 ** 20).toFixed(1)} MB`,
    );
    // Still serving, nothing crash-like in the log.
    assert.equal((await httpCall(nginx.ports.unix!, { path: '/hello' })).status, 200);
    assert.deepEqual(
      gateway.lines.filter((l) => CRASH_PATTERN.test(l)),
      [],
    );
  });
});
