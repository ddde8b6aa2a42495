/**
 * gateway/limits: walks the table of limits and, for each, sends a hostile client to every path
 * that enforces it (uwsgi and HTTP, on the raw handle and on net.Socket / node:http). Each path
 * must give the status the error table says and log the same line: the code, what happened, and
 * the value with the option that sets it.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GATEWAY_ERRORS } from '../../gateway/errors.js';
import { LIMITS, type LimitName, limitSetting, type RequestPath } from '../../gateway/limits.js';
import { createLogger } from '../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../gateway/server/serve.js';
import { encodePacket } from '../../gateway/uwsgi/index.js';
import { uwsgiGet } from '../helpers/uwsgi-client.js';
import app from './fixtures/app.js';

const VALUES = {
  bufferSize: 2048,
  limitPost: 100,
  socketTimeout: 1,
  maxVars: 40,
};

interface Reply {
  /** The status of the first response line, 0 for none. */
  status: number;
}

/**
 * Sends `bytes` and reads until the server closes (or `giveUpMs`); `stall` stops reading after
 * the first bytes, as a client that never reads its response.
 */
function send(port: number, bytes: Uint8Array, giveUpMs = 5000, stall = false): Promise<Reply> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0) });
    };
    const timer = setTimeout(done, giveUpMs);
    s.on('error', () => {});
    s.on('close', done);
    s.on('data', (c: Buffer) => {
      if (text.length < 64) text += c.toString('latin1');
      if (stall) s.pause();
    });
    s.once('connect', () => s.write(bytes));
  });
}

const http = (text: string) => Buffer.from(text, 'latin1');
const GET = 'GET /hello HTTP/1.1\r\nHost: x\r\n';

/** How each limit is reached over each protocol: the bytes, and whether the client stalls. */
const PROBES: Record<
  LimitName,
  {
    uwsgi?: () => Uint8Array;
    http?: () => Uint8Array;
    stall?: boolean;
    detail?: RegExp;
    /** The answer is the app's (its read failed), not the error's status. */
    appAnswers?: boolean;
  }
> = {
  uwsgiVarsSize: {
    uwsgi: () => uwsgiGet('/hello', [['HTTP_X_BIG', 'x'.repeat(VALUES.bufferSize)]]),
    detail: /^\d+ bytes, $/,
  },
  httpHeadSize: {
    http: () => http(`${GET}X-Big: ${'x'.repeat(VALUES.bufferSize)}\r\n\r\n`),
    detail: /^$/,
  },
  maxVars: {
    uwsgi: () =>
      uwsgiGet(
        '/hello',
        Array.from({ length: VALUES.maxVars }, (_, i) => [`HTTP_X_${i}`, 'v'] as [string, string]),
      ),
    detail: /^$/,
  },
  limitPost: {
    uwsgi: () =>
      encodePacket(
        [
          ['REQUEST_METHOD', 'POST'],
          ['REQUEST_URI', '/echo'],
          ['PATH_INFO', '/echo'],
          ['CONTENT_LENGTH', '1000'],
        ],
        { body: new Uint8Array(1000) },
      ),
    http: () => http(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n`),
    detail: /^CONTENT_LENGTH 1000, $/,
  },
  uwsgiVarsTimeout: {
    uwsgi: () => uwsgiGet('/hello').subarray(0, 10),
    detail: /^$/,
  },
  httpHeadTimeout: {
    http: () => http(GET),
    detail: /^$/,
  },
  bodyTimeout: {
    // 10 of 50 declared bytes, then nothing, while the app waits for the rest.
    uwsgi: () => {
      const packet = encodePacket([
        ['REQUEST_METHOD', 'POST'],
        ['REQUEST_URI', '/echo'],
        ['PATH_INFO', '/echo'],
        ['CONTENT_LENGTH', '50'],
      ]);
      return Buffer.concat([packet, Buffer.alloc(10, 0x61)]);
    },
    http: () =>
      http(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n${'a'.repeat(10)}`),
    detail: /^$/,
    appAnswers: true,
  },
  writeTimeout: {
    uwsgi: () => uwsgiGet(`/big?size=${20 * 1024 * 1024}`),
    http: () => http(`GET /big?size=${20 * 1024 * 1024} HTTP/1.1\r\nHost: x\r\n\r\n`),
    stall: true,
    detail: /^\d+ bytes unread, $/,
  },
};

describe('gateway/limits: every limit, on every path, the same status and log line', () => {
  const gateways: Record<'fast' | 'socket', { gateway?: Gateway; lines: string[] }> = {
    fast: { lines: [] },
    socket: { lines: [] },
  };
  const ports = new Map<RequestPath, number>();

  before(async () => {
    for (const kind of ['fast', 'socket'] as const) {
      const entry = gateways[kind];
      const gateway = await serve(app, {
        http: ['127.0.0.1:0'],
        socket: ['127.0.0.1:0'],
        ...VALUES,
        disableFastTransport: kind === 'socket',
        logger: createLogger({ write: (line) => entry.lines.push(line) }),
      });
      entry.gateway = gateway;
      const portOf = (k: string) =>
        Number(gateway.addresses.find((a) => a.kind === k)!.address.split(':')[1]);
      ports.set(kind === 'fast' ? 'uwsgi raw handle' : 'uwsgi net.Socket', portOf('uwsgi'));
      ports.set(kind === 'fast' ? 'HTTP raw handle' : 'node:http', portOf('http'));
    }
  });
  after(async () => {
    await Promise.all(Object.values(gateways).map((g) => g.gateway?.close({ force: true })));
  });

  for (const [name, spec] of Object.entries(LIMITS) as Array<
    [LimitName, (typeof LIMITS)[LimitName]]
  >) {
    const probe = PROBES[name];
    const error = GATEWAY_ERRORS[spec.code] as { status?: number; message: string };
    for (const path of spec.paths) {
      const bytes = path.startsWith('uwsgi') ? probe.uwsgi : probe.http;
      if (!bytes) continue;
      it(`${name} (${spec.option}) on ${path}: ${probe.appAnswers ? "the app's answer" : (error.status ?? 'closed')}, logged naming ${spec.option}`, async () => {
        const { lines } =
          gateways[path === 'uwsgi raw handle' || path === 'HTTP raw handle' ? 'fast' : 'socket'];
        const from = lines.length;
        const reply = await send(ports.get(path)!, bytes(), probe.stall ? 2500 : 6000, probe.stall);
        const head = `tsgi: warning: ${spec.code}: ${error.message}: `;
        const tail = limitSetting(name, VALUES[spec.key]);
        const matching = () => lines.slice(from).filter((l) => l.startsWith(head));
        for (let waited = 0; matching().length === 0 && waited < 3000; waited += 50) {
          await new Promise((r) => setTimeout(r, 50));
        }
        const [line] = matching();
        assert.ok(line, `no ${spec.code} line:\n${lines.slice(from).join('\n')}`);
        assert.ok(line.endsWith(tail), `${line} does not end with ${tail}`);
        assert.match(line.slice(head.length, line.length - tail.length), probe.detail ?? /^/);
        if (error.status !== undefined && !probe.stall && !probe.appAnswers) {
          assert.equal(reply.status, error.status);
        }
      });
    }
  }

  it('the table names a probe for every limit with an error status', () => {
    for (const [name, spec] of Object.entries(LIMITS) as Array<
      [LimitName, (typeof LIMITS)[LimitName]]
    >) {
      const probe = PROBES[name];
      const covered = spec.paths.every((p) => (p.startsWith('uwsgi') ? probe.uwsgi : probe.http));
      assert.ok(covered, `${name}: a path without a probe`);
    }
  });
});
