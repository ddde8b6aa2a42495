import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envToName, parseEnv } from '../../../gateway/config/env-parse.js';

const pairs = (env: Record<string, string>) => parseEnv(env).map((s) => [s.name, s.value]);

describe('gateway/config/env-parse', () => {
  it('maps TSGI_MAX_REQUESTS to max-requests and ignores other variables', () => {
    assert.equal(envToName('TSGI_MAX_REQUESTS'), 'max-requests');
    assert.deepEqual(pairs({ TSGI_MAX_REQUESTS: '100', PATH: '/bin', UWSGI_MASTER: '1' }), [
      ['max-requests', '100'],
    ]);
  });

  it('splits list options on whitespace, not commas (ssl-socket values contain commas)', () => {
    assert.deepEqual(pairs({ TSGI_SOCKET: '/run/a.sock  127.0.0.1:3031\n:9' }), [
      ['socket', '/run/a.sock'],
      ['socket', '127.0.0.1:3031'],
      ['socket', ':9'],
    ]);
    assert.deepEqual(pairs({ TSGI_SSL_SOCKET: ':8443,c.pem,k.pem' }), [
      ['ssl-socket', ':8443,c.pem,k.pem'],
    ]);
  });

  it('keeps a single-valued option whole, spaces included', () => {
    assert.deepEqual(pairs({ TSGI_LOG_FORMAT: '%(method) %(uri)' }), [
      ['log-format', '%(method) %(uri)'],
    ]);
  });

  it('treats an empty variable as unset', () => {
    assert.deepEqual(pairs({ TSGI_HARAKIRI: '', TSGI_LISTEN: '  ' }), []);
  });

  it('never reads the reserved TSGI_INTERNAL_, TSGI_TEST_ and TSGI_BENCH_ names', () => {
    assert.deepEqual(
      pairs({ TSGI_INTERNAL_WORKER_ID: '1', TSGI_TEST_CONCURRENCY: '2', TSGI_BENCH_X: '3' }),
      [],
    );
  });

  it('passes unknown TSGI_ names on (the resolver rejects them with a suggestion)', () => {
    const [s] = parseEnv({ TSGI_HARAKRI: '5' });
    assert.deepEqual(s, {
      name: 'harakri',
      value: '5',
      origin: { kind: 'env', name: 'TSGI_HARAKRI' },
    });
  });
});
