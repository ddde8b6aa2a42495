/**
 * gateway/logging/request-line: the one place a finished request becomes its log line. The default
 * line keeps its exact shape; --log-format, --log-req-encoder json and --memory-report are chosen
 * once, and a request refused before its environ existed still gets a line in the template.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { usesMemory } from '../../../gateway/logging/log-format.js';
import { plainRequestLine, requestLineFormat } from '../../../gateway/logging/request-line.js';

const ENVIRON = {
  REQUEST_METHOD: 'POST',
  REQUEST_URI: '/a?b=1',
  SERVER_PROTOCOL: 'HTTP/1.1',
  REMOTE_ADDR: '10.0.0.1',
  HTTP_USER_AGENT: 'curl/8',
  HTTP_X_ID: 'abc',
};
let memoryReads = 0;
const readMemory = () => {
  memoryReads++;
  return { rss: 3 * 1048576, vsz: 9 * 1048576 };
};
const plain = {
  logFormat: null,
  logReqEncoder: 'plain',
  memoryReport: false,
  wid: 3,
  readMemory,
} as const;
const MEMORY = /^\{address space usage: \d+ bytes\/\d+MB\} \{rss usage: \d+ bytes\/\d+MB\} /;

describe('gateway/logging/request-line', () => {
  it('the default line: addr, method, uri, status, bytes, time', () => {
    const started = performance.now();
    assert.match(
      plainRequestLine('127.0.0.1', 'GET', '/x?y', 200, 12, started, undefined, undefined),
      /^127\.0\.0\.1 GET \/x\?y => 200 12 bytes in \d+\.\d\d ms$/,
    );
    assert.match(
      plainRequestLine(undefined, 'GET', '/d', 200, 5, started, 'aborted', ENVIRON),
      /^- GET \/d => 200 \(aborted\) 5 bytes in \d+\.\d\d ms$/,
    );
    assert.equal(requestLineFormat(plain), plainRequestLine);
  });

  it('--memory-report puts the memory before the default line', () => {
    const line = requestLineFormat({ ...plain, memoryReport: true });
    const text = line('::1', 'GET', '/', 404, 0, performance.now(), 'client gone', undefined);
    assert.match(
      text,
      /^\{address space usage: 9437184 bytes\/9MB\} \{rss usage: 3145728 bytes\/3MB\} /,
    );
    assert.match(text.replace(MEMORY, ''), /^::1 GET \/ => 404 \(client gone\) 0 bytes in /);
  });

  it('--log-format fills the template from the environ and the outcome', () => {
    const line = requestLineFormat({
      ...plain,
      logFormat:
        '%(addr) "%(method) %(uri) %(proto)" %(status) %(size) wid=%(wid) id=%(var.HTTP_X_ID)',
    });
    assert.equal(
      line('9.9.9.9', 'POST', '/a?b=1', 201, 42, performance.now(), undefined, ENVIRON),
      '10.0.0.1 "POST /a?b=1 HTTP/1.1" 201 42 wid=3 id=abc',
    );
  });

  it('a request refused before its environ: the template from what the server knows', () => {
    const line = requestLineFormat({
      ...plain,
      logFormat: '%(addr) %(method) %(uri) %(status) %(uagent)',
    });
    assert.equal(
      line(undefined, '-', '-', 400, 11, performance.now(), undefined, undefined),
      '- - - 400 -',
    );
    assert.equal(
      line('10.0.0.2', 'GET', '/big', 413, 0, performance.now(), undefined, undefined),
      '10.0.0.2 GET /big 413 -',
    );
  });

  it('%(time) and %(msecs): the wall-clock start and the duration', async () => {
    const before = Math.floor(Date.now() / 1000);
    const started = performance.now();
    await new Promise((r) => setTimeout(r, 30));
    const line = requestLineFormat({ ...plain, logFormat: '%(time) %(msecs)' });
    const [time, msecs] = line('-', 'GET', '/', 200, 0, started, undefined, ENVIRON).split(' ');
    assert.ok(Number(time) >= before && Number(time) <= before + 1, time);
    assert.ok(Number(msecs) >= 25, msecs);
  });

  it('json: one object that parses, no memory prefix, status and size as numbers', () => {
    const line = requestLineFormat({ ...plain, logReqEncoder: 'json', memoryReport: true });
    const text = line('-', 'GET', '/', 413, 0, performance.now(), 'aborted', {
      ...ENVIRON,
      REQUEST_URI: '/q"\r\n{',
    });
    const parsed = JSON.parse(text) as Record<string, unknown>;
    assert.equal(parsed.status, 413);
    assert.equal(parsed.size, 0);
    assert.equal(parsed.uri, '/q"\r\n{');
    assert.equal(parsed.wid, 3);
  });

  it('--log-x-forwarded-for: the header as received stands for the address', () => {
    const now = performance.now();
    const forwarded = { ...ENVIRON, HTTP_X_FORWARDED_FOR: '203.0.113.7, 10.0.0.1' };
    const plainLine = requestLineFormat({ ...plain, logXForwardedFor: true });
    assert.match(
      plainLine('10.0.0.1', 'GET', '/', 200, 0, now, undefined, forwarded),
      /^203\.0\.113\.7, 10\.0\.0\.1 GET \/ => 200 0 bytes in /,
    );
    // No header (or no environ): the address as usual.
    assert.match(
      plainLine('10.0.0.1', 'GET', '/', 200, 0, now, undefined, ENVIRON),
      /^10\.0\.0\.1 GET/,
    );
    assert.match(
      plainLine('10.0.0.1', '-', '-', 400, 0, now, undefined, undefined),
      /^10\.0\.0\.1 - -/,
    );
    const template = requestLineFormat({ ...plain, logXForwardedFor: true, logFormat: '%(addr)' });
    assert.equal(
      template('10.0.0.1', 'GET', '/', 200, 0, now, undefined, forwarded),
      '203.0.113.7, 10.0.0.1',
    );
    assert.equal(template('x', 'GET', '/', 200, 0, now, undefined, ENVIRON), '10.0.0.1');
    // Off (the default): the header is ignored.
    assert.match(
      requestLineFormat(plain)('10.0.0.1', 'GET', '/', 200, 0, now, undefined, forwarded),
      /^10\.0\.0\.1 GET/,
    );
  });

  it('an unknown variable is ERR_LOG_FORMAT, at start-up', () => {
    assert.throws(() => requestLineFormat({ ...plain, logFormat: '%(nope)' }), /ERR_LOG_FORMAT/);
  });

  it('memory is read only when the line shows it', () => {
    const now = performance.now();
    for (const [logFormat, reads] of [
      ['%(addr) %(status)', 0],
      ['%(rssM)', 1],
    ] as const) {
      memoryReads = 0;
      requestLineFormat({ ...plain, logFormat })('-', 'GET', '/', 200, 0, now, undefined, ENVIRON);
      assert.equal(memoryReads, reads, logFormat);
    }
    assert.equal(usesMemory('%(addr) %(rssM)'), true);
    assert.equal(usesMemory('%(vsz)'), true);
    assert.equal(usesMemory('%(addr) %(var.rss) rss'), false);
  });
});
