/**
 * Operators' uwsgi.ini files run as they are (issue: only the app line changes): each tutorial-style
 * file in fixtures/tutorials/ starts daemonized with a pidfile under /tmp, prints one warning block
 * for what tsgi ignores, serves a request through Debian's nginx (uwsgi_pass to its socket), stops
 * with `tsgi --stop PIDFILE`, and is refused under `--strict`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT, runCliToEnd } from '../../helpers/gateway.js';
import { httpCall } from '../../helpers/http-client.js';
import { startNginxFront } from '../../helpers/nginx-front.js';

const FIXTURES = join(ROOT, 'test/gateway/config/fixtures/tutorials');

const run = (args: string[], env: NodeJS.ProcessEnv) => runCliToEnd(args, { env });

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const APP = (name: string) =>
  `export default (environ, start) => {\n  start('200 OK', [['Content-Type', 'text/plain']]);\n  return [new TextEncoder().encode('${name} from ' + process.cwd())];\n};\n`;

interface Tutorial {
  readonly file: string;
  /** The project directory (chdir) under TSGI_TEST_DIR. */
  readonly project: string;
  readonly socket: (dir: string, run: string) => string;
  readonly pidfile: (run: string) => string;
  readonly log: (run: string) => string;
  /** Lines the warning block must name. */
  readonly warned: readonly string[];
  readonly vacuum: boolean;
}

const TUTORIALS: readonly Tutorial[] = [
  {
    file: 'django.ini',
    project: 'mysite',
    socket: (_, r) => `/tmp/mysite-${r}.sock`,
    pidfile: (r) => `/tmp/mysite-${r}.pid`,
    log: (r) => `/tmp/mysite-${r}.log`,
    warned: [
      "'home' in",
      "'plugins' in",
      "'enable-threads' in",
      "'die-on-term' in",
      'lines 18, 20',
    ],
    vacuum: true,
  },
  {
    file: 'flask.ini',
    project: 'flaskapp',
    socket: (_, r) => `/tmp/flaskapp-${r}.sock`,
    pidfile: (r) => `/tmp/flaskapp-${r}.pid`,
    log: (r) => `/tmp/flaskapp-${r}.log`,
    warned: ["'callable' in", "'virtualenv' in", "'py-autoreload' in", "'vhost' in"],
    vacuum: true,
  },
  {
    file: 'hosting.ini',
    project: 'shop',
    socket: (dir) => join(dir, 'shop/shop.sock'),
    pidfile: (r) => `/tmp/shop-${r}.pid`,
    log: (r) => `/tmp/shop-${r}.log`,
    warned: ["'threads' in", "'lazy-apps' in", "'need-app' in", 'lines 11, 17'],
    vacuum: false,
  },
];

describe('tutorial-style uwsgi.ini files (only the app line changed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-tutorials-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const user = userInfo();

  for (const t of TUTORIALS) {
    it(`${t.file}: starts daemonized, serves through nginx, stops with --stop PIDFILE; --strict refuses it`, async () => {
      const runId = `${process.pid}-${randomBytes(4).toString('hex')}`;
      mkdirSync(join(dir, t.project), { recursive: true });
      writeFileSync(join(dir, t.project, 'app.mjs'), APP(t.project));
      const env = {
        TSGI_TEST_DIR: dir,
        TSGI_TEST_RUN: runId,
        TSGI_TEST_USER: user.username,
        TSGI_TEST_GROUP: String(user.gid),
      };
      const ini = join(FIXTURES, t.file);
      const pidfile = t.pidfile(runId);
      const socket = t.socket(dir, runId);
      let nginx: Awaited<ReturnType<typeof startNginxFront>> | undefined;
      let pid = 0;
      try {
        const started = await run(['--ini', ini], env);
        assert.equal(started.code, 0, started.stderr);
        const blocks = started.stderr.match(/tsgi: warning: /g) ?? [];
        assert.equal(blocks.length, 1, `one warning block:\n${started.stderr}`);
        for (const w of t.warned)
          assert.ok(started.stderr.includes(w), `${w} in\n${started.stderr}`);
        assert.doesNotMatch(started.stderr, /ERR_CONFIG_UNKNOWN_OPTION/);

        pid = await until('the pidfile', async () => {
          const text = existsSync(pidfile) ? readFileSync(pidfile, 'utf8').trim() : '';
          return /^\d+$/.test(text) ? Number(text) : undefined;
        });
        nginx = await startNginxFront(socket);
        const body = await until('a 200 through nginx', async () => {
          const res = await httpCall(nginx!.port, { path: '/' });
          return res.status === 200 ? res.body.toString() : undefined;
        });
        assert.equal(body, `${t.project} from ${join(dir, t.project)}`, 'the worker runs in chdir');

        const stopped = await run(['--stop', pidfile], {});
        assert.equal(stopped.code, 0, stopped.stderr);
        await until('the master to exit', async () => (alive(pid) ? undefined : true));
        const log = readFileSync(t.log(runId), 'utf8');
        assert.match(log, /SIGTERM/);
        if (t.vacuum) assert.ok(!existsSync(socket), 'vacuum removed the socket');

        const strict = await run(['--ini', ini, '--strict'], env);
        assert.equal(strict.code, 2, strict.stderr);
        assert.match(strict.stderr, /ERR_CONFIG_INVALID/);
        assert.doesNotMatch(strict.stderr, /tsgi: warning: /);
      } finally {
        await nginx?.stop();
        if (pid === 0 && existsSync(pidfile)) pid = Number(readFileSync(pidfile, 'utf8')) || 0;
        if (pid > 0 && alive(pid)) await run(['--stop', pidfile], {});
        if (pid > 0) {
          await until('the master to exit', async () => (alive(pid) ? undefined : true)).catch(() =>
            process.kill(pid, 'SIGKILL'),
          );
        }
        for (const path of [pidfile, t.log(runId), socket]) rmSync(path, { force: true });
      }
    });
  }
});
