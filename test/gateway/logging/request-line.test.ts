/**
 * gateway/logging/request-line: the one place a finished request becomes its log line. The default
 * line keeps its exact shape; --log-format, --log-req-encoder json and --memory-report are chosen
 * once, and a request refused before its environ existed still gets a line in the template.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { usesMemory } from '../../../gateway/logging/log-format.js';
import {
  type FinishedRequest,
  plainRequestLine,
  requestLineFormat,
} from '../../../gateway/logging/request-line.js';

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
/** A request the app answered (GET / => 200, no body, just now), with the fields a case sets. */
const ended = (fields: Partial<FinishedRequest>): FinishedRequest => ({
  remote: '-',
  method: 'GET',
  uri: '/',
  status: 200,
  bytes: 0,
  startedAt: performance.now(),
  outcome: undefined,
  counted: true,
  environ: undefined,
  ...fields,
});
const MEMORY = /^\{address space usage: \d+ bytes\/\d+MB\} \{rss usage: \d+ bytes\/\d+MB\} /;

describe('gateway/logging/request-line', () => {
  it('the default line: addr, method, uri, status, bytes, time', () => {
    const started = performance.now();
    assert.match(
      plainRequestLine(ended({ remote: '127.0.0.1', uri: '/x?y', bytes: 12, startedAt: started })),
      /^127\.0\.0\.1 GET \/x\?y => 200 12 bytes in \d+\.\d\d ms$/,
    );
    assert.match(
      plainRequestLine(
        ended({
          remote: undefined,
          uri: '/d',
          bytes: 5,
          startedAt: started,
          outcome: 'aborted',
          environ: ENVIRON,
        }),
      ),
      /^- GET \/d => 200 \(aborted\) 5 bytes in \d+\.\d\d ms$/,
    );
    assert.equal(requestLineFormat(plain), plainRequestLine);
  });

  it('--memory-report puts the memory before the default line', () => {
    const line = requestLineFormat({ ...plain, memoryReport: true });
    const text = line(ended({ remote: '::1', status: 404, outcome: 'client gone' }));
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
      line(
        ended({
          remote: '9.9.9.9',
          method: 'POST',
          uri: '/a?b=1',
          status: 201,
          bytes: 42,
          environ: ENVIRON,
        }),
      ),
      '10.0.0.1 "POST /a?b=1 HTTP/1.1" 201 42 wid=3 id=abc',
    );
  });

  it('a request refused before its environ: the template from what the server knows', () => {
    const line = requestLineFormat({
      ...plain,
      logFormat: '%(addr) %(method) %(uri) %(status) %(uagent)',
    });
    assert.equal(
      line(ended({ remote: undefined, method: '-', uri: '-', status: 400, bytes: 11 })),
      '- - - 400 -',
    );
    assert.equal(
      line(ended({ remote: '10.0.0.2', uri: '/big', status: 413 })),
      '10.0.0.2 GET /big 413 -',
    );
  });

  it('%(time) and %(msecs): the wall-clock start and the duration', async () => {
    const before = Math.floor(Date.now() / 1000);
    const started = performance.now();
    await new Promise((r) => setTimeout(r, 30));
    const line = requestLineFormat({ ...plain, logFormat: '%(time) %(msecs)' });
    const [time, msecs] = line(ended({ remote: '-', startedAt: started, environ: ENVIRON })).split(
      ' ',
    );
    assert.ok(Number(time) >= before && Number(time) <= before + 1, time);
    assert.ok(Number(msecs) >= 25, msecs);
  });

  it('json: one object that parses, no memory prefix, status and size as numbers', () => {
    const line = requestLineFormat({ ...plain, logReqEncoder: 'json', memoryReport: true });
    const text = line(
      ended({
        remote: '-',
        method: 'GET',
        uri: '/',
        status: 413,
        bytes: 0,
        startedAt: performance.now(),
        outcome: 'aborted',
        environ: {
          ...ENVIRON,
          REQUEST_URI: '/q"\r\n{',
        },
      }),
    );
    const parsed = JSON.parse(text) as Record<string, unknown>;
    assert.equal(parsed.status, 413);
    assert.equal(parsed.size, 0);
    assert.equal(parsed.uri, '/q"\r\n{');
    assert.equal(parsed.wid, 3);
  });

  it('--log-x-forwarded-for: the header as received stands for the address', () => {
    const forwarded = { ...ENVIRON, HTTP_X_FORWARDED_FOR: '203.0.113.7, 10.0.0.1' };
    const plainLine = requestLineFormat({ ...plain, logXForwardedFor: true });
    assert.match(
      plainLine(ended({ remote: '10.0.0.1', environ: forwarded })),
      /^203\.0\.113\.7, 10\.0\.0\.1 GET \/ => 200 0 bytes in /,
    );
    // No header (or no environ): the address as usual.
    assert.match(plainLine(ended({ remote: '10.0.0.1', environ: ENVIRON })), /^10\.0\.0\.1 GET/);
    assert.match(
      plainLine(ended({ remote: '10.0.0.1', method: '-', uri: '-', status: 400 })),
      /^10\.0\.0\.1 - -/,
    );
    const template = requestLineFormat({ ...plain, logXForwardedFor: true, logFormat: '%(addr)' });
    assert.equal(
      template(ended({ remote: '10.0.0.1', environ: forwarded })),
      '203.0.113.7, 10.0.0.1',
    );
    assert.equal(template(ended({ remote: 'x', environ: ENVIRON })), '10.0.0.1');
    // Off (the default): the header is ignored.
    assert.match(
      requestLineFormat(plain)(ended({ remote: '10.0.0.1', environ: forwarded })),
      /^10\.0\.0\.1 GET/,
    );
  });

  it("%(werr) (uWSGI's write errors) and %(outcome): a response cut short shows in the template", () => {
    const line = requestLineFormat({ ...plain, logFormat: '%(status) werr=%(werr) %(outcome)' });
    const base = { remote: '-', method: 'GET', uri: '/', status: 200, bytes: 3 };
    const startedAt = performance.now();
    assert.equal(line(ended({ ...base, startedAt })), '200 werr=0 -');
    assert.equal(line(ended({ ...base, startedAt, outcome: 'aborted' })), '200 werr=1 aborted');
    assert.equal(
      line(ended({ ...base, startedAt, outcome: 'client gone' })),
      '200 werr=1 client gone',
    );
  });

  it('an unknown variable is ERR_LOG_FORMAT, at start-up', () => {
    assert.throws(() => requestLineFormat({ ...plain, logFormat: '%(nope)' }), /ERR_LOG_FORMAT/);
  });

  it('memory is read only when the line shows it', () => {
    for (const [logFormat, reads] of [
      ['%(addr) %(status)', 0],
      ['%(rssM)', 1],
    ] as const) {
      memoryReads = 0;
      requestLineFormat({ ...plain, logFormat })(ended({ remote: '-', environ: ENVIRON }));
      assert.equal(memoryReads, reads, logFormat);
    }
    assert.equal(usesMemory('%(addr) %(rssM)'), true);
    assert.equal(usesMemory('%(vsz)'), true);
    assert.equal(usesMemory('%(addr) %(var.rss) rss'), false);
  });
});
