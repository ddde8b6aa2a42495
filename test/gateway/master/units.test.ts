/** Pure pieces of the master and worker: backoff, recycling decisions, heartbeat interval, log format. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileLogFormat, memoryPrefix } from '../../../gateway/logging/log-format.js';
import { nextFailureCount, respawnDelay } from '../../../gateway/master/backoff.js';
import { heartbeatInterval } from '../../../gateway/master/pool.js';
import { jitteredMaxRequests, recycleReason } from '../../../gateway/worker/recycle.js';

describe('gateway/master/backoff', () => {
  it('respawns the first failure at once, then doubles up to a cap', () => {
    assert.deepEqual([1, 2, 3, 4].map(respawnDelay), [0, 200, 400, 800]);
    assert.equal(respawnDelay(40), 30_000);
  });

  it('counts deaths before ready and quick self-inflicted deaths; a long life resets the count', () => {
    assert.equal(nextFailureCount(3, { wasReady: false, livedMs: 0, signal: null }), 4);
    assert.equal(nextFailureCount(3, { wasReady: true, livedMs: 100, signal: null }), 4);
    assert.equal(nextFailureCount(3, { wasReady: true, livedMs: 100, signal: 'SIGSEGV' }), 4);
    assert.equal(nextFailureCount(3, { wasReady: true, livedMs: 60_000, signal: null }), 1);
  });

  it('a ready worker killed from outside (kill -9) is not a crash loop', () => {
    assert.equal(nextFailureCount(3, { wasReady: true, livedMs: 100, signal: 'SIGKILL' }), 0);
    assert.equal(respawnDelay(0), 0);
    // ...but a worker killed before it was ever ready still counts.
    assert.equal(nextFailureCount(3, { wasReady: false, livedMs: 0, signal: 'SIGKILL' }), 4);
  });
});

describe('gateway/worker/recycle', () => {
  const limits = {
    maxRequests: 10,
    maxWorkerLifetime: 0,
    minWorkerLifetime: 5,
    reloadOnRss: 100,
    reloadOnAs: 0,
  };
  const state = { requests: 0, age: 60, rss: 0, vsz: 0 };

  it('max-requests, once the worker is older than min-worker-lifetime', () => {
    assert.equal(recycleReason(limits, { ...state, requests: 9 }), null);
    assert.match(recycleReason(limits, { ...state, requests: 10 }) ?? '', /max-requests 10/);
    assert.equal(recycleReason(limits, { ...state, requests: 10, age: 1 }), null);
  });

  it('reload-on-rss in megabytes', () => {
    assert.match(
      recycleReason(limits, { ...state, rss: 101 * 1048576 }) ?? '',
      /over reload-on-rss 100 MB/,
    );
    assert.equal(recycleReason(limits, { ...state, rss: 99 * 1048576 }), null);
  });

  it('max-worker-lifetime ignores min-worker-lifetime', () => {
    assert.match(
      recycleReason(
        { ...limits, maxWorkerLifetime: 1, minWorkerLifetime: 100 },
        { ...state, age: 2 },
      ) ?? '',
      /lifetime/,
    );
  });

  it('jitter: max-requests plus 0..delta, so workers do not recycle together', () => {
    assert.equal(jitteredMaxRequests(0, 10), 0);
    assert.equal(jitteredMaxRequests(100, 0), 100);
    assert.equal(
      jitteredMaxRequests(100, 10, () => 0),
      100,
    );
    assert.equal(
      jitteredMaxRequests(100, 10, () => 0.999),
      110,
    );
    const seen = new Set(Array.from({ length: 200 }, () => jitteredMaxRequests(100, 10)));
    assert.ok(seen.size > 3);
    for (const v of seen) assert.ok(v >= 100 && v <= 110);
  });
});

describe('gateway/master/arbiter heartbeatInterval', () => {
  it('is a quarter of harakiri, between 100 ms and 1 s', () => {
    assert.equal(heartbeatInterval(0), 1000);
    assert.equal(heartbeatInterval(1), 250);
    assert.equal(heartbeatInterval(0.2), 100);
    assert.equal(heartbeatInterval(30), 1000);
  });
});

describe('gateway/logging/log-format', () => {
  const fields = {
    environ: {
      REQUEST_METHOD: 'POST',
      REQUEST_URI: '/a?b=1',
      SERVER_PROTOCOL: 'HTTP/1.1',
      REMOTE_ADDR: '10.0.0.1',
      HTTP_USER_AGENT: 'curl/8',
      HTTP_X_ID: 'abc',
    },
    status: 201,
    size: 42,
    ms: 12.4,
    pid: 77,
    wid: 2,
    rss: 3 * 1048576,
    vsz: 9 * 1048576,
    since: Date.UTC(2026, 0, 2, 3, 4, 5),
  };

  it('fills the uWSGI variables', () => {
    const f = compileLogFormat(
      '%(addr) "%(method) %(uri) %(proto)" %(status) %(size) %(msecs) %(pid) %(wid) %(uagent) %(referer) %(rssM)',
    );
    assert.equal(f(fields), '10.0.0.1 "POST /a?b=1 HTTP/1.1" 201 42 12 77 2 curl/8 - 3');
  });

  it('%(var.NAME) reads any request var; literal text is kept', () => {
    assert.equal(compileLogFormat('id=%(var.HTTP_X_ID) %%(x').call(null, fields), 'id=abc %%(x');
  });

  it('an unknown variable is a coded error', () => {
    assert.throws(() => compileLogFormat('%(nope)'), /ERR_LOG_FORMAT.*%\(nope\)/);
  });

  it("memory-report prefix is uWSGI's", () => {
    assert.equal(
      memoryPrefix(1048576, 2097152),
      '{address space usage: 2097152 bytes/2MB} {rss usage: 1048576 bytes/1MB} ',
    );
  });
});
