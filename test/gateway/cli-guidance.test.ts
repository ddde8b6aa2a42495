/**
 * The CLI names the fix: no app (with the `app =` line a uwsgi.ini's module line becomes),
 * `--stop`/`--reload` on a file that is not a pidfile (named, never printed), `--processes auto`,
 * `--chdir` (relative app and socket after it, config files before it), and a clean SIGTERM that
 * does not claim to close every connection now.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, runCliToEnd, startGateway } from '../helpers/gateway.js';
import { httpCall } from '../helpers/http-client.js';
import { freePort } from '../helpers/ports.js';

const run = (args: string[]) => runCliToEnd(args);

describe('tsgi CLI guidance', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-cli-guidance-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('no app: the error shows the app line to write for a uwsgi.ini module line', async () => {
    const ini = join(dir, 'py.ini');
    writeFileSync(ini, '[uwsgi]\nsocket = /tmp/x.sock\nmodule = mysite.wsgi:application\n');
    const { code, stderr } = await run(['--ini', ini]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /warning: 1 line\(s\) ignored.*\n {2}ERR_CONFIG_PYTHON_ONLY: .*'module' in/,
    );
    assert.match(
      stderr,
      /ERR_CONFIG_NO_APP: .*write the line `app = mysite\/wsgi\.ts:application`/,
    );
    const bare = await run(['--socket', '/tmp/x.sock']);
    assert.match(
      bare.stderr,
      /ERR_CONFIG_NO_APP: no app to serve: give APP \(tsgi \[options\] path\/to\/app\.ts/,
    );
  });

  it('--stop/--reload on a file that is not a pidfile name it without printing it', async () => {
    for (const action of ['--stop', '--reload']) {
      const { code, stderr } = await run([action, 'test/gateway/fixtures/app.ts']);
      assert.equal(code, 1);
      assert.match(stderr, /app\.ts is \d+ bytes, not a pidfile; give the file named by --pidfile/);
      assert.doesNotMatch(stderr, /import|export/, 'the file is not dumped');
      assert.ok(stderr.split('\n').length <= 2, stderr);
    }
    const words = join(dir, 'words.pid');
    writeFileSync(words, 'hello\n');
    const { stderr } = await run(['--stop', words]);
    assert.match(stderr, /words\.pid does not hold a pid/);
    assert.doesNotMatch(stderr, /hello/);
  });

  it('--processes auto (and workers = auto) is the number of CPUs', async () => {
    const { code, stdout } = await run(['--processes', 'auto', '--print-config', 'x.ts']);
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`^processes = ${availableParallelism()}\\b`, 'm'));
    const ini = join(dir, 'auto.ini');
    writeFileSync(ini, '[uwsgi]\nworkers = auto\n');
    const fromFile = await run(['--ini', ini, '--print-config', 'x.ts']);
    assert.match(fromFile.stdout, new RegExp(`^processes = ${availableParallelism()}\\b`, 'm'));
  });

  it('--chdir: the app and a unix socket are relative to it, the ini file to the start directory', async () => {
    const site = join(dir, 'site');
    mkdirSync(site, { recursive: true });
    writeFileSync(
      join(site, 'app.mjs'),
      "export default (environ, start) => { start('200 OK', [['Content-Type', 'text/plain']]); return [new TextEncoder().encode(process.cwd())]; };\n",
    );
    const port = await freePort();
    const ini = join(dir, 'chdir.ini');
    writeFileSync(
      ini,
      `[uwsgi]\nchdir = ${site}\nsocket = app.sock\nhttp = 127.0.0.1:${port}\napp = app.mjs\n`,
    );
    for (const master of [[], ['--master']]) {
      const gw = await startGateway(['--ini', ini, ...master]);
      try {
        const res = await httpCall(port, { path: '/' });
        assert.equal(res.body.toString(), site, 'the worker runs in the chdir directory');
        assert.ok(existsSync(join(site, 'app.sock')), 'the relative socket is bound after chdir');
        assert.ok(!existsSync(join(ROOT, 'app.sock')));
      } finally {
        assert.equal(await gw.stop('SIGTERM'), 0);
      }
    }
  });

  it('a clean SIGTERM logs a graceful stop, not "SIGQUIT: closing every connection now"', async () => {
    const port = await freePort();
    const gw = await startGateway([
      '--http',
      `127.0.0.1:${port}`,
      'test/gateway/fixtures/hello.js',
    ]);
    await httpCall(port, { path: '/' });
    assert.equal(await gw.stop('SIGTERM'), 0);
    const log = gw.lines.join('\n');
    assert.match(log, /SIGTERM: graceful stop/);
    assert.match(log, /graceful stop complete/);
    assert.doesNotMatch(log, /SIGQUIT|closing every connection now/);
  });
});
