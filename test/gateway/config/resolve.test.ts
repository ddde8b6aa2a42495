import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OPTION_LIST } from '../../../gateway/config/options.js';
import type { Origin, RawSetting } from '../../../gateway/config/origin.js';
import { plannedError, resolveLayers } from '../../../gateway/config/resolve.js';

const at = (line: number): Origin => ({ kind: 'ini', path: 'u.ini', line });
const ENV = (name: string): Origin => ({ kind: 'env', name });
const CLI: Origin = { kind: 'cli', flag: '--x' };
const s = (name: string, value: string | null, origin: Origin): RawSetting => ({
  name,
  value,
  origin,
});

describe('gateway/config/resolve', () => {
  it('starts from the defaults, each with source "default"', () => {
    const r = resolveLayers([]);
    assert.equal(r.values.bufferSize, 65535);
    assert.equal(r.sources.bufferSize, 'default');
    assert.deepEqual(r.errors, []);
  });

  it('keeps the last value of a single-valued option within a layer', () => {
    const r = resolveLayers([[s('listen', '1', at(1)), s('listen', '2', at(2))]]);
    assert.equal(r.values.listen, 2);
    assert.equal(r.sources.listen, 'ini:u.ini:2');
  });

  it('collects every value of a list option within a layer', () => {
    const r = resolveLayers([[s('socket', '/a', at(1)), s('socket', ':3031', at(2))]]);
    assert.deepEqual(r.values.socket, ['/a', ':3031']);
    assert.equal(r.sources.socket, 'ini:u.ini:1, ini:u.ini:2');
  });

  it('lets a higher layer replace a lower one, lists included', () => {
    const files = [s('socket', '/a', at(1)), s('listen', '5', at(2)), s('limit-post', '1k', at(3))];
    const env = [s('socket', '/b', ENV('TSGI_SOCKET')), s('listen', '6', ENV('TSGI_LISTEN'))];
    const cli = [s('listen', '7', CLI)];
    const r = resolveLayers([files, env, cli]);
    assert.deepEqual(r.values.socket, ['/b']);
    assert.equal(r.sources.socket, 'env:TSGI_SOCKET');
    assert.equal(r.values.listen, 7);
    assert.equal(r.sources.listen, 'cli');
    assert.equal(r.values.limitPost, 1024);
    assert.equal(r.sources.limitPost, 'ini:u.ini:3');
  });

  it('treats an alias as its option (workers = processes)', () => {
    const r = resolveLayers([[s('processes', '2', at(1)), s('workers', '4', at(2))]]);
    assert.equal(r.values.processes, 4);
  });

  it('gives a bare key its bare value: true for booleans, 666 for chmod-socket', () => {
    const r = resolveLayers([[s('vacuum', null, at(1)), s('chmod-socket', null, at(2))]]);
    assert.equal(r.values.vacuum, true);
    assert.equal(r.values.chmodSocket, 0o666);
  });

  it('says which option lacks a value, and where', () => {
    const r = resolveLayers([[s('socket', null, at(4))]]);
    assert.equal(r.errors[0]?.code, 'ERR_CONFIG_MISSING_VALUE');
    assert.match(r.errors[0]!.message, /'socket' in u\.ini:4 needs ADDR/);
  });

  it('validates every source with the same parser and names the key and source', () => {
    const r = resolveLayers([
      [s('harakiri', 'soon', at(3))],
      [s('listen', 'many', ENV('TSGI_LISTEN'))],
      [s('buffer-size', '100k', CLI)],
    ]);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['ERR_CONFIG_INVALID_VALUE', 'ERR_CONFIG_INVALID_VALUE', 'ERR_CONFIG_INVALID_VALUE'],
    );
    assert.match(
      r.errors[0]!.message,
      /harakiri = 'soon' from u\.ini:3: expected a number of seconds/,
    );
    assert.match(r.errors[1]!.message, /listen = 'many' from env TSGI_LISTEN/);
    assert.match(
      r.errors[2]!.message,
      /buffer-size = '100k' from --x on the command line: at most 65535/,
    );
  });

  it('collects every error instead of stopping at the first', () => {
    const r = resolveLayers([
      [s('harakri', '1', at(1)), s('module', 'a:b', at(2)), s('listen', 'x', at(3))],
    ]);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['ERR_CONFIG_UNKNOWN_OPTION', 'ERR_CONFIG_INVALID_VALUE'],
    );
    assert.deepEqual(
      r.warnings.map((e) => e.code),
      ['ERR_CONFIG_PYTHON_ONLY'],
    );
  });

  it('names every planned option that was set, even when a higher layer overrode it', () => {
    assert.equal(plannedError(resolveLayers([[s('listen', '5', at(3))]])), undefined);
    const planned = OPTION_LIST.find(
      (e) => e.spec.status === 'planned' && e.spec.sources.includes('file'),
    );
    if (!planned) return; // every option is implemented: nothing left to reject
    const value = planned.spec.bareValue ?? '1';
    const r = resolveLayers([[s(planned.name, value, at(2))], [], [s(planned.name, value, CLI)]]);
    const e = plannedError(r);
    assert.equal(e?.code, 'ERR_CONFIG_OPTION_PLANNED');
    assert.ok(
      e!.message.includes(`${planned.name} (u.ini:2, --x on the command line)`),
      e!.message,
    );
  });
});

describe('gateway/config/resolve: every kind of value from the command line', () => {
  it('parses string, int, seconds, bytes, megabytes, boolean, list, int list, enum and mode', () => {
    const r = resolveLayers([
      [
        s('chdir', '/srv/app', CLI),
        s('listen', '64', CLI),
        s('harakiri', '2.5', CLI),
        s('post-buffering', '8k', CLI),
        s('reload-on-rss', '512', CLI),
        s('vacuum', 'no', CLI),
        s('master', null, CLI),
        s('touch-reload', '/a', CLI),
        s('touch-reload', '/b', CLI),
        s('modifier1', '5', CLI),
        s('cheaper-algo', 'busyness', CLI),
        s('chmod-socket', '0660', CLI),
      ],
    ]);
    assert.deepEqual(r.errors, []);
    const v = r.values;
    assert.deepEqual(
      [v.chdir, v.listen, v.harakiri, v.postBuffering, v.reloadOnRss, v.vacuum, v.master],
      ['/srv/app', 64, 2.5, 8192, 512, false, true],
    );
    assert.deepEqual(
      [v.touchReload, v.modifier1, v.cheaperAlgo, v.chmodSocket],
      [['/a', '/b'], [5], 'busyness', 0o660],
    );
  });

  it('refuses a value outside an enum or a range, saying what is allowed', () => {
    const r = resolveLayers([[s('cheaper-algo', 'backlog', CLI), s('modifier1', '300', CLI)]]);
    assert.match(r.errors[0]!.message, /expected one of: spare, busyness/);
    assert.match(r.errors[1]!.message, /0 to 255/);
  });

  it('points at a would-be inline comment', () => {
    const r = resolveLayers([[s('harakiri', '30 ; half a minute', at(3))]]);
    assert.match(r.errors[0]!.message, /comment only works at the start of a line/);
  });
});
