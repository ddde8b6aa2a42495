/**
 * systemd socket activation, with systemd's own `systemd-socket-activate` passing the socket
 * (LISTEN_PID / LISTEN_FDS / LISTEN_FDNAMES, fd 3), as a .socket unit does: the gateway serves the
 * inherited socket, in uwsgi or HTTP by name or by the option naming its address (unnamed =
 * uwsgi), with and without --master, from source and as the built bin, and never unlinks it.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureBuilt } from '../../helpers/built.js';
import { ROOT } from '../../helpers/gateway.js';
import { freePort } from '../../helpers/ports.js';
import { spawnGroup, stopGroup } from '../../helpers/process-group.js';
import { parseResponse, rawRequest, uwsgiGet } from '../../helpers/uwsgi-client.js';

const SOURCE = ['--conditions=source', '--import', 'tsx', 'gateway/cli.ts'];
const APP = 'examples/hello.ts';

interface Activated {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** `systemd-socket-activate -l SOCK [--fdname NAME] node … cli ARGS` (execs on the first connect). */
function activate(sock: string, args: string[], opts: { name?: string; entry?: string[] } = {}) {
  const child = spawnGroup(
    'systemd-socket-activate',
    [
      '-l',
      sock,
      ...(opts.name ? [`--fdname=${opts.name}`] : []),
      process.execPath,
      ...(opts.entry ?? SOURCE),
      ...args,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (c) => {
    out += c;
  });
  child.stderr?.on('data', (c) => {
    out += c;
  });
  const activated: Activated = {
    child,
    output: () => out,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no ${pattern} in:\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => stopGroup(child, { signal: 'SIGTERM', graceMs: 15_000 }),
  };
  return activated;
}

function httpGet(
  target: string | { host: string; port: number },
): Promise<{ status: number; body: string }> {
  const where = typeof target === 'string' ? { socketPath: target } : target;
  return new Promise((resolve, reject) => {
    const req = request({ ...where, path: '/', headers: { host: 'x' }, timeout: 30_000 });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function uwsgiOverUnix(path: string): Promise<number> {
  const reply = await rawRequest({ path }, uwsgiGet('/'), { timeoutMs: 30_000 });
  return parseResponse(reply.data).status;
}

describe('gateway: systemd socket activation', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-activation-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an unnamed inherited socket speaks uwsgi; stopping never unlinks it', async () => {
    const sock = join(dir, 'unnamed.sock');
    const run = activate(sock, [APP]);
    try {
      await run.waitFor(/Listening on/);
      assert.equal(await uwsgiOverUnix(sock), 200, run.output());
      assert.match(run.output(), /socket activation: serving 1 inherited socket\(s\): fd 3\n/);
    } finally {
      await run.stop();
    }
    assert.match(run.output(), /ready \(pid/);
    assert.ok(lstatSync(sock).isSocket(), 'the inherited socket file is still there');
  });

  it('FileDescriptorName=http makes it HTTP', async () => {
    const sock = join(dir, 'named.sock');
    const run = activate(sock, [APP], { name: 'http' });
    try {
      await run.waitFor(/Listening on/);
      const res = await httpGet(sock);
      assert.equal(res.status, 200, run.output());
      assert.equal(res.body, 'Hello, World!');
    } finally {
      await run.stop();
    }
  });

  it('a TCP socket (here on [::1]) works the same, its address read from the descriptor', async () => {
    const port = await freePort('::1');
    const run = activate(`[::1]:${port}`, [APP], { name: 'http' });
    try {
      await run.waitFor(/Listening on/);
      const res = await httpGet({ host: '::1', port });
      assert.equal(res.status, 200, run.output());
      assert.match(run.output(), new RegExp(`http socket bound to \\[?::1\\]?:${port}`));
    } finally {
      await run.stop();
    }
  });

  it('an option naming the same address sets the protocol (--http-socket PATH), as in uWSGI', async () => {
    const sock = join(dir, 'option.sock');
    const run = activate(sock, ['--http-socket', sock, APP]);
    try {
      await run.waitFor(/Listening on/);
      assert.equal((await httpGet(sock)).status, 200, run.output());
      // The configured address was served through the inherited socket, not bound again.
      assert.doesNotMatch(run.output(), /ERR_GATEWAY_BIND_FAILED/);
    } finally {
      await run.stop();
    }
  });

  it('under --master with --vacuum: workers serve it, the master leaves the file to systemd', async () => {
    const sock = join(dir, 'master.sock');
    const run = activate(sock, ['--master', '--processes', '2', '--vacuum', APP]);
    try {
      await run.waitFor(/Listening on/);
      assert.equal(await uwsgiOverUnix(sock), 200, run.output());
      await run.waitFor(/ready \(pid \d+\), serving .* with 2 worker/);
      assert.equal(await uwsgiOverUnix(sock), 200, run.output());
    } finally {
      await run.stop();
    }
    assert.match(run.output(), /master: exiting with code 0/);
    assert.ok(existsSync(sock) && lstatSync(sock).isSocket(), run.output());
  });

  it('the built bin, run directly by systemd-socket-activate, serves it', async () => {
    const dist = await ensureBuilt();
    const sock = join(dir, 'bin.sock');
    const run = activate(sock, [APP], { name: 'http', entry: [join(dist, 'gateway/cli.js')] });
    try {
      await run.waitFor(/Listening on/);
      assert.equal((await httpGet(sock)).status, 200, run.output());
    } finally {
      await run.stop();
    }
  });

  it('LISTEN_PID of another process: the sockets are not ours, the usual error stands', async () => {
    const child = spawnGroup(process.execPath, [...SOURCE, APP], {
      cwd: ROOT,
      env: { ...process.env, LISTEN_PID: '1', LISTEN_FDS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stderr?.on('data', (c) => {
      out += c;
    });
    const code = await new Promise((r) => child.once('exit', r));
    await stopGroup(child);
    assert.notEqual(code, 0);
    assert.match(out, /ERR_CONFIG_NO_SOCKET: .*--socket ADDR/); // the usual error: no socket of ours
  });
});
