import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { formatValues } from '../../../gateway/config/format-value.js';
import { SECTIONS } from '../../../gateway/config/option-types.js';
import {
  defaultConfig,
  findOption,
  type GatewayConfig,
  OPTION_LIST,
  OPTIONS,
  toEnvName,
  toOptionName,
} from '../../../gateway/config/options.js';
import { PYTHON_ONLY_KEYS, UNSUPPORTED_UWSGI_KEYS } from '../../../gateway/config/uwsgi-keys.js';

describe('gateway/config/options', () => {
  it('derives names mechanically: maxRequests → --max-requests, TSGI_MAX_REQUESTS', () => {
    assert.equal(toOptionName('maxRequests'), 'max-requests');
    assert.equal(toEnvName('max-requests'), 'TSGI_MAX_REQUESTS');
    assert.equal(findOption('max-requests')?.key, 'maxRequests');
    for (const { key, name } of OPTION_LIST) {
      assert.match(name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, `${key} gives a kebab-case name`);
    }
  });

  it('has the contract flags of issues #3 and #4', () => {
    const names = new Set(OPTION_LIST.map((e) => e.name));
    const contract = [
      'socket',
      'ssl-socket',
      'http-socket',
      'http',
      'buffer-size',
      'limit-post',
      'socket-timeout',
      'chmod-socket',
      'listen',
      'disable-logging',
      'master',
      'processes',
      'harakiri',
      'harakiri-verbose',
      'max-requests',
      'max-requests-delta',
      'max-worker-lifetime',
      'min-worker-lifetime',
      'reload-on-rss',
      'evil-reload-on-rss',
      'reload-on-as',
      'cheaper',
      'cheaper-initial',
      'cheaper-step',
      'cheaper-overload',
      'cheaper-algo',
      'idle',
      'stats',
      'stats-http',
      'connect-and-read',
      'pidfile',
      'reload',
      'stop',
      'master-fifo',
      'touch-reload',
      'touch-chain-reload',
      'autoreload',
      'daemonize',
      'vacuum',
      'uid',
      'gid',
      'chown-socket',
      'memory-report',
      'post-buffering',
      'logto',
      'log-format',
      'worker-reload-mercy',
      'reload-mercy',
      'chdir',
      'app',
      'ini',
      'json',
      'print-config',
      'help',
      'version',
      'modifier1',
    ];
    for (const name of contract) assert.ok(names.has(name), `${name} is in the table`);
    assert.equal(findOption('workers')?.name, 'processes');
    assert.equal(findOption('chdir')?.spec.status, 'ready');
    assert.equal(findOption('processes')?.spec.parse('auto'), availableParallelism());
  });

  it("uses uWSGI's short flags, each once", () => {
    const shorts = OPTION_LIST.flatMap((e) => (e.spec.short ? [[e.spec.short, e.name]] : []));
    const expected = {
      s: 'socket',
      p: 'processes',
      M: 'master',
      t: 'harakiri',
      b: 'buffer-size',
      L: 'disable-logging',
      R: 'max-requests',
      d: 'daemonize',
      z: 'socket-timeout',
      h: 'help',
    };
    for (const [short, name] of Object.entries(expected)) {
      assert.ok(
        shorts.some(([s, n]) => s === short && n === name),
        `-${short} is --${name}`,
      );
    }
    const letters = shorts.map(([s]) => s);
    assert.equal(new Set(letters).size, letters.length, 'no short flag is used twice');
  });

  it('gives every entry a section, a one-line summary and a uWSGI equivalent or a reason', () => {
    for (const { name, spec } of OPTION_LIST) {
      assert.ok(SECTIONS.includes(spec.section), `${name} has a known section`);
      assert.ok(spec.summary.length > 0 && !spec.summary.includes('\n'), `${name} summary`);
      assert.ok(
        spec.uwsgi !== null || spec.uwsgiNote,
        `${name} names its uWSGI equivalent or why none`,
      );
      assert.ok(['hup', 'restart', 'none'].includes(spec.reload), `${name} reload behaviour`);
    }
  });

  it('has no name that is also a Python-only or unsupported uWSGI key, or another alias', () => {
    const seen = new Set<string>();
    for (const { name, spec } of OPTION_LIST) {
      for (const n of [name, ...(spec.aliases ?? [])]) {
        assert.ok(!seen.has(n), `${n} is used once`);
        seen.add(n);
        assert.ok(
          !(n in PYTHON_ONLY_KEYS) && !(n in UNSUPPORTED_UWSGI_KEYS),
          `${n} is not refused`,
        );
      }
    }
  });

  it('has defaults that its own parsers accept (format → parse gives the default back)', () => {
    for (const { name, spec } of OPTION_LIST) {
      const parsed = formatValues(spec, spec.default).map((v) => spec.parse(v));
      const back = spec.multiple ? parsed : (parsed[0] ?? null);
      assert.deepEqual(back, spec.default, `${name} default round-trips`);
    }
  });

  it('documents the defaults the issues fix', () => {
    const d: GatewayConfig = defaultConfig();
    assert.equal(d.bufferSize, 65535);
    assert.equal(d.socketTimeout, 30);
    assert.equal(d.listen, 1024);
    assert.equal(d.processes, 1);
    assert.equal(d.cheaperAlgo, 'spare');
    assert.deepEqual(d.socket, []);
    assert.equal(d.chmodSocket, null);
    assert.equal(OPTIONS.chmodSocket.bareValue, '666');
  });

  it('marks as planned only options whose code has not landed (flip the mark when it does)', () => {
    const planned = OPTION_LIST.filter((e) => e.spec.status === 'planned').map((e) => e.name);
    // Issue #3's options are served by the single-process server; issue #4's wait for the master.
    for (const ready of ['socket', 'http', 'buffer-size', 'limit-post', 'disable-logging', 'app']) {
      assert.ok(!planned.includes(ready), `${ready} is ready`);
    }
  });
});
