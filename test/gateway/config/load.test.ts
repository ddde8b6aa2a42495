import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigErrors } from '../../../gateway/config/errors.js';
import { loadConfigFiles } from '../../../gateway/config/files.js';
import { loadConfig } from '../../../gateway/config/load.js';
import { findOption, OPTION_LIST } from '../../../gateway/config/options.js';
import { resolveLayers } from '../../../gateway/config/resolve.js';
import { errorsOf, HOST, tempFiles } from './temp-files.js';

const load = (argv: string[], env: Record<string, string> = {}, cwd = '/') =>
  loadConfig({ argv, env, cwd, host: HOST });

const READY_INI = `[uwsgi]
socket = /run/app/%n.sock
socket = 127.0.0.1:3031
buffer-size = 32768
limit-post = 10m
chmod-socket = 660
listen = 512
disable-logging = true
`;

// What operators run today (issue #4 item 7), with only the module line changed to app.
const OPERATOR_INI = `[uwsgi]
# shop, production
app = app.ts:application
socket = /run/shop/uwsgi.sock
chdir = /srv/shop
master = true
processes = 4
max-requests = 1000
harakiri = 30
harakiri-verbose = true
buffer-size = 32768
post-buffering = 8192
memory-report = true
reload-mercy = 8
reload-on-as = 512
pidfile = /run/shop/uwsgi.pid
daemonize = /var/log/shop/uwsgi.log
vacuum = true
chmod-socket = 660
uid = www-data
gid = www-data
`;

describe('gateway/config/load', () => {
  it('runs with the defaults and the APP argument', () => {
    const r = load(['app.ts']);
    assert.deepEqual(r.action, { kind: 'run' });
    assert.equal(r.app, 'app.ts');
    assert.equal(r.config.app, 'app.ts');
    assert.equal(r.sources.app, 'cli');
    assert.equal(r.config.bufferSize, 65535);
    assert.equal(r.sources.bufferSize, 'default');
  });

  it('returns a frozen config, lists included', () => {
    const r = load(['-s', '/a', 'app.ts']);
    assert.ok(Object.isFrozen(r.config));
    assert.ok(Object.isFrozen(r.config.socket));
    assert.ok(Object.isFrozen(r.sources));
    assert.throws(() => {
      (r.config as { listen: number }).listen = 1;
    }, TypeError);
  });

  it('applies defaults < ini < json < env < CLI, and says where each value came from', () => {
    const dir = tempFiles({
      'a.ini': '[uwsgi]\nlisten = 1\nsocket-timeout = 11\nlimit-post = 1k\nsocket = /ini.sock\n',
      'b.json': '{"tsgi": {"socket-timeout": 22, "buffer-size": "16k"}}',
    });
    const r = load(
      ['--ini', 'a.ini', '--json', 'b.json', '--listen', '4', 'app.ts'],
      { TSGI_LISTEN: '3', TSGI_LIMIT_POST: '2k' },
      dir,
    );
    assert.equal(r.config.listen, 4);
    assert.equal(r.sources.listen, 'cli');
    assert.equal(r.config.limitPost, 2048);
    assert.equal(r.sources.limitPost, 'env:TSGI_LIMIT_POST');
    assert.equal(r.config.socketTimeout, 22);
    assert.equal(r.sources.socketTimeout, 'json:b.json');
    assert.equal(r.config.bufferSize, 16384);
    assert.deepEqual(r.config.socket, ['/ini.sock']);
    assert.equal(r.sources.socket, 'ini:a.ini:5');
    assert.deepEqual(r.files, [`${dir}/a.ini`, `${dir}/b.json`]);
  });

  it('reads files in the order given: a later file wins for single values', () => {
    const dir = tempFiles({ 'a.ini': '[uwsgi]\nlisten = 1\n', 'b.ini': '[uwsgi]\nlisten = 2\n' });
    assert.equal(load(['--ini', 'b.ini', '--ini', 'a.ini'], {}, dir).config.listen, 1);
    assert.equal(load(['a.ini', 'b.ini'], {}, dir).config.listen, 2);
  });

  it('takes the app from a config file, and lets the APP argument override it', () => {
    const dir = tempFiles({ 'a.ini': '[tsgi]\napp = %dsrv/app.ts:handler\n' });
    const fromFile = load(['--ini', 'a.ini'], {}, dir);
    assert.equal(fromFile.app, `${dir}/srv/app.ts:handler`);
    assert.equal(fromFile.sources.app, 'ini:a.ini:2');
    assert.equal(load(['--ini', 'a.ini', 'other.ts'], {}, dir).app, 'other.ts');
  });

  it('loads a ready-only uwsgi.ini with every value typed', () => {
    const dir = tempFiles({ 'uwsgi.ini': READY_INI });
    const r = load(['--ini', 'uwsgi.ini', 'app.ts'], {}, dir);
    assert.deepEqual(r.config.socket, ['/run/app/uwsgi.sock', '127.0.0.1:3031']);
    assert.equal(r.config.bufferSize, 32768);
    assert.equal(r.config.limitPost, 10 * 1024 * 1024);
    assert.equal(r.config.chmodSocket, 0o660);
    assert.equal(r.config.listen, 512);
    assert.equal(r.config.disableLogging, true);
  });

  it("parses every key of an operator's uwsgi.ini (only the module line changed)", () => {
    const dir = tempFiles({ 'uwsgi.ini': OPERATOR_INI });
    const layer = loadConfigFiles(
      [{ name: 'ini', value: 'uwsgi.ini', origin: { kind: 'cli', flag: '--ini' } }],
      {
        cwd: dir,
        env: {},
        host: HOST,
      },
    );
    const r = resolveLayers([layer.settings]);
    assert.deepEqual(r.errors, [], 'no unknown keys, no bad values');
    const c = r.values;
    assert.equal(c.app, 'app.ts:application');
    assert.deepEqual(c.socket, ['/run/shop/uwsgi.sock']);
    assert.equal(c.chdir, '/srv/shop');
    assert.equal(c.master, true);
    assert.equal(c.processes, 4);
    assert.equal(c.maxRequests, 1000);
    assert.equal(c.harakiri, 30);
    assert.equal(c.harakiriVerbose, true);
    assert.equal(c.bufferSize, 32768);
    assert.equal(c.postBuffering, 8192);
    assert.equal(c.memoryReport, true);
    assert.equal(c.reloadMercy, 8);
    assert.equal(c.reloadOnAs, 512);
    assert.equal(c.pidfile, '/run/shop/uwsgi.pid');
    assert.equal(c.daemonize, '/var/log/shop/uwsgi.log');
    assert.equal(c.vacuum, true);
    assert.equal(c.chmodSocket, 0o660);
    assert.equal(c.uid, 'www-data');
    assert.equal(c.gid, 'www-data');
  });

  it("loads the operator's uwsgi.ini exactly when the table has no planned option it uses", () => {
    const dir = tempFiles({ 'uwsgi.ini': OPERATOR_INI });
    const keys = OPERATOR_INI.split('\n').flatMap((l) => /^([a-z-]+) =/.exec(l)?.[1] ?? []);
    const planned = keys.filter((k) => findOption(k)?.spec.status === 'planned');
    const run = () => load(['--ini', 'uwsgi.ini'], {}, dir);
    if (planned.length === 0) {
      assert.equal(run().config.processes, 4);
      return;
    }
    // Today the master/worker options are planned: the loader must name each one, not ignore it.
    const errors = errorsOf(run);
    assert.deepEqual(
      errors.map((e) => e.code),
      ['ERR_CONFIG_OPTION_PLANNED'],
    );
    for (const key of planned) {
      assert.ok(errors[0]!.message.includes(`${key} (uwsgi.ini:`), `${key} is named`);
    }
  });

  it('warns about the module line of an unchanged uwsgi.ini and derives the app line', () => {
    const dir = tempFiles({
      'uwsgi.ini': '[uwsgi]\nsocket = /run/a.sock\nmodule = shop.wsgi:application\n',
    });
    const r = load(['--ini', 'uwsgi.ini'], {}, dir);
    assert.equal(r.warnings[0]?.code, 'ERR_CONFIG_PYTHON_ONLY');
    assert.match(
      r.warnings[0]!.message,
      /'module' in uwsgi\.ini:3: use `app = path\/to\/app\.ts\[:export\]`/,
    );
    assert.equal(r.appLine, 'app = shop/wsgi.ts:application');
    const errors = errorsOf(() => load(['--ini', 'uwsgi.ini', '--strict'], {}, dir));
    assert.equal(errors[0]?.code, 'ERR_CONFIG_PYTHON_ONLY');
  });

  it('reports a typo in each source with the nearest name', () => {
    const dir = tempFiles({
      'u.ini': '[uwsgi]\n\n\n\n\n\nharakri = 30\n',
      'c.json': '{"uwsgi": {"lisen": 5}}',
    });
    const errors = errorsOf(() =>
      load(
        ['--ini', 'u.ini', '--json', 'c.json', '--buffer-sise', '1k'],
        { TSGI_SOCKTE: '/a' },
        dir,
      ),
    );
    const messages = errors.map((e) => e.message);
    assert.ok(
      errors.every((e) => e.code === 'ERR_CONFIG_UNKNOWN_OPTION'),
      messages.join('\n'),
    );
    const expected = [
      /'--buffer-sise' on the command line \(did you mean '--buffer-size'\?\)/,
      /'harakri' in u\.ini:7 \(did you mean 'harakiri'\?\)/,
      /'lisen' in c\.json \(key "uwsgi\.lisen"\) \(did you mean 'listen'\?\)/,
      /'TSGI_SOCKTE' in env TSGI_SOCKTE \(did you mean 'TSGI_SOCKET'\?\)/,
    ];
    for (const re of expected)
      assert.ok(
        messages.some((m) => re.test(m)),
        `${re} in\n${messages.join('\n')}`,
      );
  });

  it('a log-format %(variable) typo is a config error naming the key and the nearest variable', () => {
    const dir = tempFiles({ 'u.ini': '[uwsgi]\nlog-format = %(addr) %(rsz) %(var.HTTP_X_ID)\n' });
    const [error] = errorsOf(() => load(['--ini', 'u.ini'], {}, dir));
    assert.equal(error?.code, 'ERR_CONFIG_INVALID_VALUE');
    assert.match(
      error?.message ?? '',
      /log-format = .* from u\.ini.*%\(rsz\) \(did you mean %\(rss\)\?\)/,
    );
    // Inherited object keys are no variables either.
    assert.throws(
      () => load(['--log-format', '%(constructor)']),
      /unknown variable %\(constructor\)/,
    );
    assert.equal(load(['--log-format', '%(rssM) %(var.X)']).config.logFormat, '%(rssM) %(var.X)');
  });

  it('throws one coded error alone, several as ERR_CONFIG_INVALID listing each', () => {
    assert.throws(() => load(['--listen', 'x']), { code: 'ERR_CONFIG_INVALID_VALUE' });
    assert.throws(
      () => load(['--listen', 'x', '--bogus']),
      (e: ConfigErrors) => {
        assert.equal(e.code, 'ERR_CONFIG_INVALID');
        assert.deepEqual(e.errors.map((x) => x.code).sort(), [
          'ERR_CONFIG_INVALID_VALUE',
          'ERR_CONFIG_UNKNOWN_OPTION',
        ]);
        assert.match(e.message, /listen = 'x'/);
        assert.match(e.message, /--bogus/);
        return true;
      },
    );
  });

  it('answers --help and --version even when the rest is broken', () => {
    assert.deepEqual(load(['--help', '--harakri', '5', '--ini', '/nonexistent.ini']).action, {
      kind: 'help',
    });
    assert.deepEqual(load(['-h']).action, { kind: 'help' });
    assert.deepEqual(load(['--version', '--bogus']).action, { kind: 'version' });
  });

  it('returns the print-config action with the loaded values', () => {
    const r = load(['--print-config', '--listen', '9']);
    assert.deepEqual(r.action, { kind: 'print-config' });
    assert.equal(r.config.listen, 9);
  });

  it('returns the stop, reload and connect-and-read actions with their argument', () => {
    const cases = [
      [['--stop', '/run/t.pid'], { kind: 'stop', pidfile: '/run/t.pid' }],
      [['--reload', '/run/t.pid'], { kind: 'reload', pidfile: '/run/t.pid' }],
      [
        ['--connect-and-read', '127.0.0.1:9191'],
        { kind: 'connect-and-read', address: '127.0.0.1:9191' },
      ],
    ] as const;
    for (const [argv, action] of cases) {
      const name = argv[0].slice(2);
      if (findOption(name)?.spec.status === 'planned') {
        assert.equal(errorsOf(() => load([...argv]))[0]?.code, 'ERR_CONFIG_OPTION_PLANNED', name);
      } else assert.deepEqual(load([...argv]).action, action);
    }
  });

  it('refuses two actions at once, two APPs, and APP with --app', () => {
    assert.ok(
      errorsOf(() => load(['--print-config', '--stop', 'x.pid'])).some(
        (e) => e.code === 'ERR_CONFIG_CONFLICT',
      ),
    );
    assert.deepEqual(
      errorsOf(() => load(['a.ts', 'b.ts'])).map((e) => e.code),
      ['ERR_CONFIG_EXTRA_ARGUMENT'],
    );
    assert.deepEqual(
      errorsOf(() => load(['--app', 'a.ts', 'b.ts'])).map((e) => e.code),
      ['ERR_CONFIG_CONFLICT'],
    );
  });

  it('refuses TSGI_ variables for command-line-only options', () => {
    assert.deepEqual(
      errorsOf(() => load([], { TSGI_PRINT_CONFIG: '1' })).map((e) => e.code),
      ['ERR_CONFIG_CLI_ONLY'],
    );
  });

  it('rejects every planned option by name, from each source', () => {
    const planned = OPTION_LIST.filter(
      (e) => e.spec.status === 'planned' && e.spec.sources.includes('env'),
    );
    for (const { name, env, spec } of planned) {
      const value = spec.choices?.[0] ?? (spec.kind === 'boolean' ? 'true' : '1');
      for (const run of [() => load([`--${name}=${value}`]), () => load([], { [env]: value })]) {
        const errors = errorsOf(run);
        assert.deepEqual(
          errors.map((e) => e.code),
          ['ERR_CONFIG_OPTION_PLANNED'],
          name,
        );
        assert.ok(errors[0]!.message.includes(`${name} (`), name);
      }
    }
  });
});

describe('gateway/config/load: ini semantics end to end', () => {
  it('accumulates repeated list keys and keeps the last scalar', () => {
    const dir = tempFiles({
      'u.ini': '[uwsgi]\nsocket = /a.sock\nlisten = 10\nsocket = /b.sock\nlisten = 20\n',
    });
    const r = load(['--ini', 'u.ini'], {}, dir);
    assert.deepEqual(r.config.socket, ['/a.sock', '/b.sock']);
    assert.equal(r.config.listen, 20);
    assert.equal(r.sources.listen, 'ini:u.ini:5');
  });

  it('reads booleans in every spelling, and a bare key as true', () => {
    const dir = tempFiles({
      'u.ini': '[tsgi]\ndisable-logging\n',
      'v.ini': '[tsgi]\ndisable-logging = Off\n',
    });
    assert.equal(load(['--ini', 'u.ini'], {}, dir).config.disableLogging, true);
    assert.equal(load(['--ini', 'v.ini'], {}, dir).config.disableLogging, false);
  });

  it("refuses uWSGI's `ini = :section` form with a clear message", () => {
    const dir = tempFiles({ 'u.ini': '[uwsgi]\nini = :other\n' });
    assert.throws(() => load(['--ini', 'u.ini'], {}, dir), {
      code: 'ERR_CONFIG_FILE_READ',
      message: /names no file/,
    });
  });
});
