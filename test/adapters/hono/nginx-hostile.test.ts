/**
 * A Hono app behind Debian's nginx (uwsgi_pass to the gateway CLI, as deployed), sent what a
 * hostile or sloppy client sends:
 * - a Host with `\`, `?`, `#` or `@`: nginx takes them, the URL parser reads them as path, query,
 *   fragment or user info. Rebuilt into the URL a Hono app routes on, `Host: a\admin?` with
 *   `GET /public/x` would route `/admin`, past an nginx location that denies /admin. tsgi: 400.
 * - a query with raw UTF-8 bytes (`?q=café` unescaped, as curl sends it): nginx passes the bytes;
 *   the app must read `café`, not `cafÃ©`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGateway } from '../../helpers/gateway.js';
import { type Nginx, startNginx } from '../../helpers/nginx.js';

const APP = 'test/adapters/hono/fixtures/echo-url.ts';

/** One request with the Host header as given (node:http would refuse or replace it). */
function rawGet(
  port: number,
  path: string,
  host: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('request timed out')));
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 'latin1'),
    );
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
  });
}

describe('adapters/hono behind nginx: hostile Host headers and raw query bytes', () => {
  let dir: string;
  let gateway: GatewayProcess;
  let nginx: Nginx;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-hono-host-'));
    const socket = join(dir, 'app.sock');
    gateway = await startGateway(['--socket', socket, '--chmod-socket', '666', APP]);
    nginx = await startNginx({
      upstreams: [
        { name: 'app', pass: `unix:${socket}`, extra: 'location /admin { return 403; }' },
      ],
    });
    port = nginx.ports.app!;
  });

  after(async () => {
    await nginx?.stop();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('nginx denies /admin, and serves /public/x to the app', async () => {
    assert.equal((await rawGet(port, '/admin', 'test.local')).status, 403);
    const ok = await rawGet(port, '/public/x', 'test.local');
    assert.equal(ok.status, 200);
    assert.match(ok.body, /path=\/public\/x q=$/);
  });

  for (const host of ['a\\admin?', 'a\\admin', 'a?', 'a#', 'x@y']) {
    it(`Host: ${host} → 400 from the gateway, the app never routes another path`, async () => {
      const res = await rawGet(port, '/public/x', host);
      assert.equal(res.status, 400, res.body);
      assert.doesNotMatch(res.body, /path=/);
      // The log line names the code and the host it refused.
      const named = JSON.stringify(host).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
      await gateway.waitForLine(new RegExp(`ERR_TSGI_HOST_INVALID.*${named}`));
    });
  }

  it('a query sent as raw UTF-8 bytes reaches the app decoded once', async () => {
    const res = await rawGet(port, '/p?q=caf\u00c3\u00a9', 'test.local');
    assert.equal(res.status, 200, res.body);
    assert.equal(Buffer.from(res.body, 'latin1').toString('utf8'), 'path=/p q=café');
  });
});
