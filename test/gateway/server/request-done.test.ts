/**
 * gateway/server/request-done: every request ends in exactly one log line, in the configured
 * format, on every path: answered by the app, refused for a limit (413) with its environ read,
 * refused before any environ (a bad uwsgi packet, two Host headers, on an upgrade too, a head
 * node:http cannot parse), over uwsgi and HTTP.
 * The size is the body bytes sent, the same for a refusal on either protocol. --disable-logging
 * drops them all, --log-format included.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import type { RequestLineFormat } from '../../../gateway/logging/request-line.js';
import type { ConnectionContext } from '../../../gateway/server/connection-context.js';
import { requestDone } from '../../../gateway/server/request-done.js';
import { type MasterProcess, startMaster } from '../../helpers/master.js';
import { freePort } from '../../helpers/ports.js';
import { parseResponse, rawRequest, uwsgiGet } from '../../helpers/uwsgi-client.js';

const FORMAT = 'LOG %(method) %(uri) %(status) %(size) addr=%(addr) id=%(var.HTTP_X_ID) wid=%(wid)';

/** Sends one raw HTTP request and returns the status of the reply. */
function httpStatus(port: number, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let reply = '';
    s.on('error', reject);
    s.on('data', (c: Buffer) => {
      reply += c.toString('latin1');
    });
    s.on('close', () => resolve(Number(reply.slice(9, 12))));
    s.once('connect', () => s.end(text));
  });
}

async function requests(uwsgi: number, http: number): Promise<number[]> {
  const tcp = { host: '127.0.0.1', port: uwsgi };
  const ok = { halfClose: true, timeoutMs: 5000 };
  const from = (id: string): Array<[string, string]> => [
    ['REMOTE_ADDR', '10.1.2.3'],
    ['HTTP_X_ID', id],
  ];
  const statuses = [
    (await rawRequest(tcp, uwsgiGet('/hello', from('one')), ok)).data,
    (await rawRequest(tcp, uwsgiGet('/big', [...from('two'), ['CONTENT_LENGTH', '100']]), ok)).data,
    (await rawRequest(tcp, Uint8Array.of(0, 5, 0, 0, 1, 0, 0x41, 9, 0), ok)).data,
  ].map((data) => parseResponse(data).status);
  statuses.push(
    await httpStatus(
      http,
      'POST /post HTTP/1.1\r\nHost: x\r\nX-Id: three\r\nContent-Length: 100\r\nConnection: close\r\n\r\n',
    ),
    await httpStatus(http, 'GET /dup HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n'),
    await httpStatus(
      http,
      'GET /dup-ws HTTP/1.1\r\nHost: a\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    ),
    await httpStatus(http, 'GET /bad HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'),
  );
  return statuses;
}

async function startWith(extra: string[], format = ['--log-format', FORMAT]) {
  const uwsgi = await freePort();
  const http = await freePort();
  const master = await startMaster(
    [
      '--master',
      '--processes',
      '1',
      '--socket',
      `127.0.0.1:${uwsgi}`,
      '--http-socket',
      `127.0.0.1:${http}`,
      '--limit-post',
      '10',
      ...format,
      ...extra,
      'test/gateway/fixtures/app.ts',
    ],
    { workers: 1 },
  );
  return { master, uwsgi, http };
}

describe('gateway/server/request-done: the call', () => {
  it('builds the line once through the chosen format, and not at all under --disable-logging', () => {
    const calls: unknown[] = [];
    const requestLine: RequestLineFormat = (request) => {
      calls.push({ ...request });
      return 'LINE';
    };
    const written: string[] = [];
    const counted: number[] = [];
    const context = (disableLogging: boolean) =>
      ({
        log: createLogger({ disableLogging, write: (l) => written.push(l) }),
        requestLine,
        onRequestDone: (status: number) => counted.push(status),
      }) as unknown as ConnectionContext;
    const environ = { REQUEST_METHOD: 'GET' };
    const request = (status: number, counted: boolean) => ({
      remote: '::1',
      method: 'GET',
      uri: '/',
      status,
      bytes: 5,
      startedAt: 1,
      outcome: 'aborted' as const,
      counted,
      environ,
    });
    requestDone(context(false), request(200, true));
    assert.deepEqual(calls, [request(200, true)]);
    assert.deepEqual(written, ['tsgi: LINE']);
    requestDone(context(true), request(404, true));
    requestDone(context(true), request(400, false));
    assert.equal(calls.length, 1, 'no line built when request lines are off');
    assert.equal(written.length, 1);
    // Counted unless refused before the app ran.
    assert.deepEqual(counted, [200, 404]);
  });
});

describe('gateway/server/request-done: one line per request, in the configured format', () => {
  let master: MasterProcess | undefined;
  after(() => master?.stop('SIGKILL'));

  it('--log-format: answered and refused requests, uwsgi and HTTP', async () => {
    const started = await startWith([]);
    master = started.master;
    assert.deepEqual(
      await requests(started.uwsgi, started.http),
      [200, 413, 400, 413, 400, 400, 400],
    );
    const expected = [
      'tsgi: LOG GET /hello 200 13 addr=10.1.2.3 id=one wid=1',
      'tsgi: LOG GET /big 413 22 addr=10.1.2.3 id=two wid=1',
      'tsgi: LOG - - 400 16 addr=- id=- wid=1',
      'tsgi: LOG POST /post 413 22 addr=127.0.0.1 id=three wid=1',
      'tsgi: LOG GET /dup 400 16 addr=127.0.0.1 id=- wid=1',
      'tsgi: LOG GET /dup-ws 400 16 addr=127.0.0.1 id=- wid=1',
      'tsgi: LOG - - 400 0 addr=127.0.0.1 id=- wid=1',
    ];
    const logged = () => master!.lines.filter((l) => l.startsWith('tsgi: LOG '));
    await master.waitFor('seven request lines', () => logged().length >= expected.length);
    assert.deepEqual(logged(), expected);
    // No second line in the default format.
    assert.ok(!master.lines.some((l) => l.includes(' => ')), master.lines.join('\n'));
    await master.stop('SIGKILL');
    master = undefined;
  });

  describe('--disable-logging', () => {
    let quiet: MasterProcess | undefined;
    after(() => quiet?.stop('SIGKILL'));

    it('drops every request line, --log-format included', async () => {
      const started = await startWith(['--disable-logging']);
      quiet = started.master;
      assert.deepEqual(
        await requests(started.uwsgi, started.http),
        [200, 413, 400, 413, 400, 400, 400],
      );
      // The refusals' warnings are logged as they happen; the request lines would follow them.
      await quiet.waitFor('the last refusal', (lines) =>
        lines.some((l) => l.includes('malformed HTTP request')),
      );
      await new Promise((r) => setTimeout(r, 200));
      const lines = quiet.lines.filter((l) => l.includes('LOG ') || l.includes(' => '));
      assert.deepEqual(lines, []);
    });
  });

  describe('--log-x-forwarded-for', () => {
    for (const mode of ['single process', 'master'] as const) {
      it(`the default line shows the X-Forwarded-For header, on both protocols (${mode})`, async () => {
        const uwsgi = await freePort();
        const http = await freePort();
        const master = mode === 'master' ? ['--master'] : [];
        const proxied = await startMaster(
          [
            ...master,
            '--socket',
            `127.0.0.1:${uwsgi}`,
            '--http-socket',
            `127.0.0.1:${http}`,
            '--log-x-forwarded-for',
            'test/gateway/fixtures/app.ts',
          ],
          { workers: master.length },
        );
        try {
          await proxied.waitForLine(/ready \(pid/);
          const vars: Array<[string, string]> = [
            ['REMOTE_ADDR', '10.1.2.3'],
            ['HTTP_X_FORWARDED_FOR', '203.0.113.9'],
          ];
          const tcp = { host: '127.0.0.1', port: uwsgi };
          const ok = { halfClose: true, timeoutMs: 5000 };
          await rawRequest(tcp, uwsgiGet('/hello', vars), ok);
          await rawRequest(tcp, uwsgiGet('/hello?plain', [['REMOTE_ADDR', '10.1.2.3']]), ok);
          await httpStatus(
            http,
            'GET /hello HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.4, 10.0.0.1\r\nConnection: close\r\n\r\n',
          );
          for (const pattern of [
            /^tsgi: 203\.0\.113\.9 GET \/hello => 200 13 bytes in /,
            /^tsgi: 10\.1\.2\.3 GET \/hello\?plain => 200 13 bytes in /,
            /^tsgi: 198\.51\.100\.4, 10\.0\.0\.1 GET \/hello => 200 13 bytes in /,
          ]) {
            await proxied.waitForLine(pattern);
          }
        } finally {
          await proxied.stop('SIGKILL');
        }
      });
    }
  });
});
