/**
 * Placeholders as uWSGI 2.0 has them (docs: Configuration "Placeholders", "Placeholders math",
 * ParsingOrder): keys of the file that are not options, referenced as %(key), are placeholders;
 * options are placeholders too, first occurrence first, TSGI_* variables and the command line
 * in uWSGI's order; under `strict` a custom key must come from set-placeholder.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../gateway/config/load.js';
import { errorsOf, HOST, tempFiles } from './temp-files.js';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

const load = (argv: string[], cwd: string, env: Record<string, string> = {}) =>
  loadConfig({ argv, env, cwd, host: HOST });

describe('gateway/config placeholders (uWSGI examples)', () => {
  it("the documented example: a custom key, set-ph and set-placeholder (uWSGI's Placeholders)", () => {
    // uWSGI's example as docs/migrating-from-uwsgi.md shows it (limit-as → reload-on-as).
    const text = readFileSync(join(FIXTURES, 'uwsgi-docs-placeholders.ini'), 'utf8');
    const dir = tempFiles({ 'u.ini': text });
    const r = load(['--ini', 'u.ini', 'app.ts'], dir);
    assert.deepEqual(r.config.socket, ['/tmp/sockets/uwsgi.it.sock']);
    assert.equal(r.config.chdir, '/var/www/uwsgi.it');
    assert.equal(r.config.reloadOnAs, 64);
    assert.deepEqual(r.warnings, []);
  });

  it('an option is a placeholder: %(socket) (ParsingOrder) and chown-socket = %(uid):www-data', () => {
    const dir = tempFiles({
      'u.ini':
        '[uwsgi]\nsocket = :3031\nuid = me\nchown-socket = %(uid):www-data\nlogto = /tmp/%(socket).log\n',
    });
    const r = load(['--ini', 'u.ini', 'app.ts'], dir);
    assert.equal(r.config.chownSocket, 'me:www-data');
    assert.equal(r.config.logto, '/tmp/:3031.log');
  });

  it('placeholder math: a pipeline, ++, and two items joined as text', () => {
    const dir = tempFiles({
      'u.ini': `[uwsgi]
foo = 17
bar = 30
baz = 29
two = 2
nine = 9
processes = %(foo + bar + 3)
listen = %(foo + bar + 3 * 2)
cheaper-step = %(baz ++)
max-requests = %(two nine ++)
harakiri = %(bar / 0)
`,
    });
    const c = load(['--ini', 'u.ini', 'app.ts'], dir).config;
    assert.equal(c.processes, 50);
    assert.equal(c.listen, 100, '(((foo + bar) + 3) * 2), no precedence');
    assert.equal(c.cheaperStep, 30);
    assert.equal(c.maxRequests, 30, "'2' '9' → '29', ++ → 30");
    assert.equal(c.harakiri, 0, 'division by zero gives 0, as in uWSGI');
  });

  it('the first occurrence wins, across included files (top-bottom, expand asap)', () => {
    const dir = tempFiles({
      'a.ini': '[uwsgi]\nproject = first\nini = b.ini\nsocket = /run/%(project).sock\n',
      'b.ini': '[uwsgi]\nproject = second\nlogto = /tmp/%(project).log\n',
    });
    const r = load(['--ini', 'a.ini', 'app.ts'], dir);
    assert.deepEqual(r.config.socket, ['/run/first.sock']);
    assert.equal(r.config.logto, '/tmp/first.log');
  });

  it('the command line before --ini comes first, as uWSGI orders its options; after it, the file', () => {
    const dir = tempFiles({
      'u.ini': '[uwsgi]\nsocket = file.sock\nlogto = /tmp/%(socket).log\n',
    });
    const before = load(['--socket', 'cli.sock', '--ini', 'u.ini', 'app.ts'], dir);
    assert.equal(before.config.logto, '/tmp/cli.sock.log');
    const after = load(['--ini', 'u.ini', '--socket', 'cli.sock', 'app.ts'], dir);
    assert.equal(after.config.logto, '/tmp/file.sock.log');
    const env = load(['--ini', 'u.ini', 'app.ts'], dir, { TSGI_SOCKET: 'env.sock' });
    assert.equal(env.config.logto, '/tmp/env.sock.log', 'environment variables come first');
  });

  it('placeholders reference each other; a cycle is an error naming the chain', () => {
    const ok = tempFiles({
      'u.ini':
        '[uwsgi]\nbase = /home/me\nproject = mysite\nhome_dir = %(base)/%(project)\nchdir = %(home_dir)\n',
    });
    assert.equal(load(['--ini', 'u.ini', 'app.ts'], ok).config.chdir, '/home/me/mysite');
    const loop = tempFiles({ 'u.ini': '[uwsgi]\na = %(b)\nb = %(a)\nchdir = %(a)\n' });
    const errors = errorsOf(() => load(['--ini', 'u.ini', 'app.ts'], loop));
    assert.equal(errors[0]?.code, 'ERR_CONFIG_PLACEHOLDER_LOOP');
  });

  it('an unknown key that nothing references stays an error with the nearest name', () => {
    const dir = tempFiles({ 'u.ini': '[uwsgi]\nproject = mysite\nharakri = 30\n' });
    const errors = errorsOf(() => load(['--ini', 'u.ini', 'app.ts'], dir));
    assert.deepEqual(
      errors.map((e) => e.code),
      ['ERR_CONFIG_UNKNOWN_OPTION', 'ERR_CONFIG_UNKNOWN_OPTION'],
    );
    assert.match(errors[1]!.message, /'harakri' in u\.ini:3 \(did you mean 'harakiri'\?\)/);
  });

  it('--set-placeholder / --set-ph on the command line (uWSGI: unknown flags are refused, this is not)', () => {
    const dir = tempFiles({
      'u.ini': '[uwsgi]\nstrict = true\nsocket = /run/%(project)-%(n).sock\n',
    });
    const r = load(
      ['--set-placeholder', 'project=shop', '--set-ph', 'n=2', '--ini', 'u.ini', 'app.ts'],
      dir,
    );
    assert.deepEqual(r.config.socket, ['/run/shop-2.sock']);
    const bad = errorsOf(() => load(['--set-ph', 'novalue', 'app.ts'], dir));
    assert.match(bad[0]!.message, /expected NAME=VALUE/);
  });

  it('JSON keys are placeholders the same way', () => {
    const dir = tempFiles({
      'c.json': '{"uwsgi": {"project": "shop", "socket": "/run/%(project).sock"}}',
    });
    assert.deepEqual(load(['--json', 'c.json', 'app.ts'], dir).config.socket, ['/run/shop.sock']);
  });

  it("under strict a custom key must be declared with set-placeholder (as uWSGI's --strict)", () => {
    const dir = tempFiles({
      'u.ini': '[uwsgi]\nstrict = true\nproject = shop\nsocket = /run/%(project).sock\n',
      'ok.ini':
        '[uwsgi]\nstrict = true\nset-placeholder = project=shop\nsocket = /run/%(project).sock\n',
    });
    const errors = errorsOf(() => load(['--ini', 'u.ini', 'app.ts'], dir));
    assert.equal(errors[0]?.code, 'ERR_CONFIG_PLACEHOLDER_STRICT');
    assert.match(
      errors[0]!.message,
      /'project' in u\.ini:3: write `set-placeholder = project=shop`/,
    );
    assert.deepEqual(load(['--ini', 'ok.ini', 'app.ts'], dir).config.socket, ['/run/shop.sock']);
  });
});

describe('gateway/config warnings and --strict', () => {
  const TUTORIAL = `[uwsgi]
project = mysite
base = /home/me
chdir = %(base)/%(project)
module = %(project).wsgi:application
home = %(base)/Env/%(project)
plugins = python3
enable-threads = true
vhost = false
master = true # main process
processes = 2 ; workers
socket = /tmp/%(project).sock
die-on-term = true
py-autoreload = 2
`;

  it('reads the tutorial file with one warning per ignored line and one for the comments', () => {
    const dir = tempFiles({ 'u.ini': TUTORIAL });
    const r = load(['--ini', 'u.ini'], dir);
    assert.equal(r.config.master, true);
    assert.equal(r.config.processes, 2);
    assert.equal(r.config.autoreload, 2, "py-autoreload is tsgi's autoreload, same seconds");
    assert.deepEqual(r.config.socket, ['/tmp/mysite.sock']);
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      [
        'ERR_CONFIG_INLINE_COMMENT',
        'ERR_CONFIG_PYTHON_ONLY',
        'ERR_CONFIG_PYTHON_ONLY',
        'ERR_CONFIG_PYTHON_ONLY',
        'ERR_CONFIG_PYTHON_ONLY',
        'ERR_CONFIG_PYTHON_ONLY',
        'ERR_CONFIG_BUILT_IN',
        'ERR_CONFIG_PYTHON_ONLY',
      ],
    );
    assert.match(r.warnings[0]!.message, /u\.ini lines 10, 11: the text from ' #' or ' ;' on/);
    assert.equal(r.app, null);
    assert.equal(r.appLine, 'app = mysite/wsgi.ts:application');
  });

  it('--strict (or strict = true) turns every warning into an error', () => {
    const dir = tempFiles({ 'u.ini': TUTORIAL });
    const errors = errorsOf(() => load(['--ini', 'u.ini', '--strict', 'app.ts'], dir));
    assert.equal(errors.length, 10, 'eight warnings and two custom placeholders');
    assert.ok(errors.some((e) => e.code === 'ERR_CONFIG_PLACEHOLDER_STRICT'));
  });

  it('--py-autoreload=1 on the command line next to --ini, with the warning', () => {
    const dir = tempFiles({ 'u.ini': '[uwsgi]\nsocket = :3031\n' });
    const r = load(['--ini', 'u.ini', '--py-autoreload=1', 'app.ts'], dir);
    assert.equal(r.config.autoreload, 1);
    assert.match(
      r.warnings[0]!.message,
      /'--py-autoreload' on the command line: read as tsgi's `autoreload`/,
    );
  });

  it('pidfile, daemonize and logto are anchored to the start directory (uWSGI reads them before chdir)', () => {
    const dir = tempFiles({
      'u.ini':
        '[uwsgi]\nchdir = /srv\npidfile = run/a.pid\ndaemonize = a.log\nlogto = b.log\nsocket = s.sock\n',
    });
    const c = load(['--ini', 'u.ini', 'app.ts'], dir).config;
    assert.equal(c.pidfile, `${dir}/run/a.pid`);
    assert.equal(c.daemonize, `${dir}/a.log`);
    assert.equal(c.logto, `${dir}/b.log`);
    assert.deepEqual(c.socket, ['s.sock'], 'sockets stay relative: bound after chdir');
  });
});
