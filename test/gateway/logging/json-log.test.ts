/**
 * --log-req-encoder json: every request line is a JSON object that parses, whatever a hostile
 * client puts in its path, headers or uwsgi vars (quotes, backslashes, CR/LF, control and
 * latin-1 bytes), a request refused for a limit included; the plain format is unchanged when the
 * option is not given.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type MasterProcess, startMaster } from '../../helpers/master.js';
import { freePort } from '../../helpers/ports.js';
import { rawRequest, uwsgiGet } from '../../helpers/uwsgi-client.js';

function httpRaw(port: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    s.on('data', () => {});
    s.once('connect', () => s.end(Buffer.from(text, 'latin1')));
  });
}

const HOSTILE_UWSGI: Array<[string, Array<[string, string]>]> = [
  ['/q"uote\\back', []],
  ['/crlf\r\n{"forged":true}', []],
  ['/ctl\x01\x1b[31m\x7f', [['HTTP_USER_AGENT', 'ua"}\n{"x":1']]],
  ['/latin\xff\xe9', [['HTTP_REFERER', '\\"\\\\']]],
];

describe('--log-req-encoder json', () => {
  let master: MasterProcess;
  let http: number;
  let uwsgi: number;

  before(async () => {
    http = await freePort();
    uwsgi = await freePort();
    master = await startMaster(
      [
        '--master',
        '--processes',
        '1',
        '--http-socket',
        `127.0.0.1:${http}`,
        '--socket',
        `127.0.0.1:${uwsgi}`,
        '--log-req-encoder',
        'json',
        '--limit-post',
        '1000',
        'test/gateway/fixtures/app.ts',
      ],
      { workers: 1 },
    );
  });
  after(() => master?.stop('SIGKILL'));

  it('writes one parseable JSON object per request, hostile values included', async () => {
    for (const [uri, extra] of HOSTILE_UWSGI) {
      await rawRequest({ host: '127.0.0.1', port: uwsgi }, uwsgiGet(uri, extra));
    }
    await httpRaw(
      http,
      'GET /h%22ttp%0d%0a%5c?x="y" HTTP/1.1\r\nHost: a"b\r\nUser-Agent: "\\\t}\r\nReferer: \xff\r\nConnection: close\r\n\r\n',
    );
    const expected = HOSTILE_UWSGI.length + 1;
    await master.waitFor(
      `${expected} request lines`,
      (lines) => lines.filter((l) => l.startsWith('{')).length >= expected,
    );
    const requestLines = master.lines.filter((l) => l.startsWith('{'));
    for (const line of requestLines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      assert.equal(typeof parsed.status, 'number', line);
      assert.equal(typeof parsed.uri, 'string', line);
    }
    const uris = requestLines.map((l) => (JSON.parse(l) as { uri: string }).uri);
    assert.ok(uris.includes('/q"uote\\back'), uris.join(' | '));
    assert.ok(uris.includes('/crlf\r\n{"forged":true}'), uris.join(' | '));
    // No line of the log was forged by the CR/LF in a value.
    assert.ok(!master.lines.some((l) => l.startsWith('{"forged"') || l.startsWith('{"x"')));
  });

  it('a request refused for a limit is a JSON line too', async () => {
    await rawRequest(
      { host: '127.0.0.1', port: uwsgi },
      uwsgiGet('/too-big', [['CONTENT_LENGTH', '5000']]),
      { halfClose: true, timeoutMs: 5000 },
    );
    const line = await master.waitForLine(/^\{.*"uri":"\/too-big"/);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    assert.equal(parsed.status, 413);
    assert.equal(parsed.method, 'GET');
  });
});
