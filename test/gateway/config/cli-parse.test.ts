import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli } from '../../../gateway/config/cli-parse.js';

const pairs = (argv: string[]) => parseCli(argv).settings.map((s) => [s.name, s.value]);
const codes = (argv: string[]) => parseCli(argv).errors.map((e) => e.code);

describe('gateway/config/cli-parse', () => {
  it('reads --flag VALUE and --flag=VALUE, and the positional APP', () => {
    const r = parseCli(['--socket', '/run/a.sock', '--listen=128', 'app.ts']);
    assert.deepEqual(
      r.settings.map((s) => [s.name, s.value]),
      [
        ['socket', '/run/a.sock'],
        ['listen', '128'],
      ],
    );
    assert.deepEqual(r.positionals, ['app.ts']);
    assert.deepEqual(r.errors, []);
  });

  it('keeps every occurrence of a repeatable flag, in order', () => {
    assert.deepEqual(pairs(['-s', '/run/a.sock', '--socket', ':3031', '-s', '[::1]:9']), [
      ['socket', '/run/a.sock'],
      ['socket', ':3031'],
      ['socket', '[::1]:9'],
    ]);
  });

  it("maps uWSGI's short flags, also combined", () => {
    assert.deepEqual(pairs(['-M', '-p', '4', '-t', '30', '-b', '32k', '-R', '1000', '-d', '/l']), [
      ['master', null],
      ['processes', '4'],
      ['harakiri', '30'],
      ['buffer-size', '32k'],
      ['max-requests', '1000'],
      ['daemonize', '/l'],
    ]);
    assert.deepEqual(pairs(['-MLs', '/run/a.sock']), [
      ['master', null],
      ['disable-logging', null],
      ['socket', '/run/a.sock'],
    ]);
  });

  it('reads booleans as --flag (no value), --no-flag and --flag=VALUE', () => {
    assert.deepEqual(pairs(['--vacuum', '--no-master', '--memory-report=off']), [
      ['vacuum', null],
      ['master', 'false'],
      ['memory-report', 'off'],
    ]);
  });

  it('refuses a value on --no-flag', () => {
    assert.deepEqual(codes(['--no-master=yes']), ['ERR_CONFIG_INVALID_VALUE']);
  });

  it('accepts aliases under their own spelling', () => {
    assert.deepEqual(pairs(['--workers', '2', '--py-autoreload', '1']), [
      ['workers', '2'],
      ['py-autoreload', '1'],
    ]);
  });

  it('takes --chmod-socket alone as 666, without swallowing the APP', () => {
    const r = parseCli(['--chmod-socket', 'app.ts']);
    assert.deepEqual(
      r.settings.map((s) => [s.name, s.value]),
      [['chmod-socket', '666']],
    );
    assert.deepEqual(r.positionals, ['app.ts']);
    assert.deepEqual(pairs(['--chmod-socket', '660', 'app.ts']), [['chmod-socket', '660']]);
    assert.deepEqual(pairs(['-C']), [['chmod-socket', '666']]);
  });

  it('says a value is missing instead of taking the next flag as the value', () => {
    const r = parseCli(['--socket', '--master']);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['ERR_CONFIG_MISSING_VALUE'],
    );
    assert.match(r.errors[0]!.message, /--socket needs ADDR/);
    assert.deepEqual(codes(['--harakiri']), ['ERR_CONFIG_MISSING_VALUE']);
  });

  it('suggests the nearest flag for an unknown one, and does not report its value as an APP', () => {
    const r = parseCli(['--harakri', '30', 'app.ts']);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.code, 'ERR_CONFIG_UNKNOWN_OPTION');
    assert.match(
      r.errors[0]!.message,
      /'--harakri' on the command line \(did you mean '--harakiri'\?\)/,
    );
    assert.deepEqual(r.positionals, ['app.ts']);
  });

  it('passes Python-only flags, long and short (uwsgi -w module), on with their values', () => {
    const r = parseCli([
      '-w',
      'app:application',
      '--virtualenv',
      '/venv',
      '--enable-threads',
      'a.ts',
    ]);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.settings.map((s) => [s.name, s.value]),
      [
        ['module', 'app:application'],
        ['virtualenv', '/venv'],
        ['enable-threads', null],
      ],
    );
    assert.deepEqual(r.positionals, ['a.ts']);
  });

  it('reads --py-autoreload=1 and --py-autoreload 1 next to --ini', () => {
    for (const argv of [
      ['--ini', 'u.ini', '--py-autoreload=1'],
      ['--ini', 'u.ini', '--py-autoreload', '1'],
    ]) {
      const r = parseCli(argv);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.settings.at(-1)?.value, '1');
      assert.deepEqual(r.positionals, []);
    }
  });

  it('loads a positional .ini or .json argument as a config file, as `uwsgi file.ini` does', () => {
    assert.deepEqual(pairs(['uwsgi.ini', 'conf.json:prod', 'other.ini:app1']), [
      ['ini', 'uwsgi.ini'],
      ['json', 'conf.json:prod'],
      ['ini', 'other.ini:app1'],
    ]);
  });

  it('treats everything after -- as positional', () => {
    const r = parseCli(['--', '--weird-app-name.ts']);
    assert.deepEqual(r.positionals, ['--weird-app-name.ts']);
    assert.deepEqual(r.settings, []);
  });

  it('records the flag as written in the origin', () => {
    const [s] = parseCli(['-t', '5']).settings;
    assert.deepEqual(s!.origin, { kind: 'cli', flag: '-t' });
  });
});
