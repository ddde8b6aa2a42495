import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isLoopback, parseAddress } from '../../gateway/server/address.js';
import { ROOT, runCliToEnd, startGateway } from '../helpers/gateway.js';
import { httpCall } from '../helpers/http-client.js';
import { freePort } from '../helpers/ports.js';
import { rawRequest } from '../helpers/uwsgi-client.js';

const run = (args: string[]) => runCliToEnd(args);

describe('tsgi CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints --help with the contract flags and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    assert.equal(code, 0);
    for (const flag of [
      '--socket',
      '--ssl-socket',
      '--http-socket',
      '--http',
      '--buffer-size',
      '--limit-post',
      '--socket-timeout',
      '--chmod-socket',
      '--listen',
      '--disable-logging',
    ]) {
      // Booleans render as --[no-]name.
      assert.ok(stdout.includes(flag) || stdout.includes(`--[no-]${flag.slice(2)}`), flag);
    }
  });

  it('prints --version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const { code, stdout } = await run(['--version']);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), `tsgi ${version}`);
  });

  it('exits 2 on an unknown option', async () => {
    const { code, stderr } = await run(['--no-such-option', 'x.ts']);
    assert.equal(code, 2);
    assert.match(stderr, /ERR_CONFIG/);
  });

  it('exits 4 with a clear error when the app file is missing, throws, or lacks the export', async () => {
    const socket = join(dir, 'x.sock');
    const missing = await run(['--socket', socket, 'test/gateway/fixtures/nope.ts']);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /ERR_GATEWAY_APP_LOAD.*no such file/);
    const broken = await run(['--socket', socket, 'test/gateway/fixtures/broken.ts']);
    assert.equal(broken.code, 4);
    assert.match(broken.stderr, /ERR_GATEWAY_APP_LOAD.*this app cannot start/);
    const badExport = await run([
      '--socket',
      socket,
      'test/gateway/fixtures/hello.mjs:notAFunction',
    ]);
    assert.equal(badExport.code, 4);
    assert.match(badExport.stderr, /ERR_GATEWAY_APP_EXPORT.*notAFunction.*number/);
  });

  it('exits 3 when a socket cannot be bound', async () => {
    const { code, stderr } = await run([
      '--socket',
      join(dir, 'no/such/dir/x.sock'),
      'test/gateway/fixtures/hello.js',
    ]);
    assert.equal(code, 3);
    assert.match(stderr, /ERR_GATEWAY_BIND_FAILED/);
  });

  it('exits 2 when no socket is given, naming the flags that fix it, before loading the app', async () => {
    const { code, stderr } = await run(['test/gateway/fixtures/broken.ts']);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /ERR_CONFIG_NO_SOCKET: .*--socket ADDR .*--http-socket ADDR .*--http ADDR/,
    );
    assert.doesNotMatch(stderr, /this app cannot start/, 'the app was not imported');
  });

  it('loads .js, .mjs:export and .ts apps, applies --chmod-socket, stops on SIGTERM with 0', async () => {
    for (const [app, text] of [
      ['test/gateway/fixtures/hello.js', 'hello from js'],
      ['test/gateway/fixtures/hello.mjs:application', 'hello from mjs'],
      ['test/gateway/fixtures/app.ts:hello', 'Hello, world!'],
    ] as const) {
      const port = await freePort();
      const socket = join(dir, 'mode.sock');
      const gw = await startGateway([
        '--http',
        `127.0.0.1:${port}`,
        '--socket',
        socket,
        '--chmod-socket',
        '600',
        app,
      ]);
      try {
        assert.equal((statSync(socket).mode & 0o777).toString(8), '600');
        const res = await httpCall(port, { path: '/' });
        assert.equal(res.body.toString(), text, app);
      } finally {
        assert.equal(await gw.stop('SIGTERM'), 0);
      }
    }
  });

  it('--log-format and --memory-report run in a single process, as in uWSGI (no master)', async () => {
    const port = await freePort();
    const gw = await startGateway([
      '--http',
      `127.0.0.1:${port}`,
      '--log-format',
      'FMT %(method) %(uri) %(status) wid=%(wid)',
      '--memory-report',
      'test/gateway/fixtures/hello.js',
    ]);
    try {
      await gw.waitForLine(new RegExp(`ready \\(pid ${gw.pid}\\)`));
      await httpCall(port, { path: '/x' });
      const line = await gw.waitForLine(/FMT GET \/x 200 wid=1$/);
      assert.match(line, /\{rss usage: \d+ bytes\/\d+MB\} FMT /);
      assert.ok(!gw.lines.some((l) => l.includes('master:')), gw.lines.join('\n'));
    } finally {
      assert.equal(await gw.stop('SIGTERM'), 0);
    }
  });

  it('logs nothing per request under --disable-logging', async () => {
    const port = await freePort();
    const gw = await startGateway([
      '--http',
      `127.0.0.1:${port}`,
      '--disable-logging',
      'test/gateway/fixtures/hello.js',
    ]);
    try {
      await httpCall(port, { path: '/x' });
      await rawRequest(
        { host: '127.0.0.1', port },
        Buffer.from('GET /y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'),
      );
      assert.ok(!gw.lines.some((l) => l.includes('=> 200')), gw.lines.join('\n'));
    } finally {
      await gw.stop();
    }
  });
});

describe('gateway/server/address', () => {
  it('parses host:port, :port, [v6]:port and unix paths', () => {
    assert.deepEqual(parseAddress('127.0.0.1:3031'), {
      type: 'tcp',
      host: '127.0.0.1',
      port: 3031,
    });
    assert.deepEqual(parseAddress(':3031'), { type: 'tcp', host: '0.0.0.0', port: 3031 });
    assert.deepEqual(parseAddress('[::1]:3031'), { type: 'tcp', host: '::1', port: 3031 });
    assert.deepEqual(parseAddress('/run/app.sock'), { type: 'unix', path: '/run/app.sock' });
    assert.deepEqual(parseAddress('app.sock'), { type: 'unix', path: 'app.sock' });
    assert.throws(() => parseAddress('nonsense'), { code: 'ERR_GATEWAY_BAD_ADDRESS' });
  });

  it('knows which addresses are loopback (the rest get a warning)', () => {
    assert.equal(isLoopback(parseAddress('127.0.0.1:1')), true);
    assert.equal(isLoopback(parseAddress('[::1]:1')), true);
    assert.equal(isLoopback(parseAddress('/x.sock')), true);
    assert.equal(isLoopback(parseAddress(':1')), false);
    assert.equal(isLoopback(parseAddress('10.0.0.1:1')), false);
  });
});
