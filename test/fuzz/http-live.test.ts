// Live fuzzing of --http-socket (short): the HTTP codec's hostile requests (test/gateway/http/
// requests.ts) at a running gateway, each on its own connection and then half-closed. A request
// the codec accepts must be served by the app (never refused, never left unanswered); any other
// must get a 4xx or a close, never a 5xx or a hang; the gateway must log nothing that looks like
// an uncaught exception and still serve a plain request at the end.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createLogger } from '../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../gateway/server/serve.js';
import app from '../gateway/fixtures/app.js';
import { requestArb, runCodec } from '../gateway/http/requests.js';
import { CRASH_PATTERN } from '../reliability/lib.js';

const CASES = Number(process.env.LIVE_FUZZ_CASES ?? 300);

/** Sends the bytes, half-closes, and returns what came back before the close (or a timeout). */
function send(port: number, bytes: Buffer): Promise<{ text: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, timedOut: true });
    }, 4000);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, timedOut: false });
    });
    socket.once('connect', () => socket.end(bytes));
  });
}

/** Every Host value is host[:port] (RFC 9110 7.2): a reg-name or an IP literal, digits after `:`. */
function hostsValid(headers: readonly string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() !== 'host') continue;
    if (!/^(\[[0-9A-Fa-f:.]+\]|[-A-Za-z0-9._~!$&'()*+,;=%]*)(:\d*)?$/.test(headers[i + 1]!)) {
      return false;
    }
  }
  return true;
}

for (const disableFastTransport of [false, true]) {
  describe(`fuzz: live, hostile HTTP requests at --http-socket (fast transport ${disableFastTransport ? 'off' : 'on'})`, () => {
    let gateway: Gateway;
    let port: number;
    const lines: string[] = [];
    before(async () => {
      gateway = await serve(app, {
        http: ['127.0.0.1:0'],
        disableFastTransport,
        socketTimeout: 2,
        logger: createLogger({ write: (line: string) => lines.push(line) }),
      });
      port = Number(gateway.addresses[0]!.address.split(':')[1]);
    });
    after(() => gateway?.close({ force: true }));

    it(`answers ${CASES} hostile requests: accepted ones by the app, the rest with a 4xx or a close`, async () => {
      const samples = fc.sample(requestArb, { numRuns: CASES, seed: 2026 });
      let served = 0;
      for (const bytes of samples) {
        const ours = runCodec(bytes);
        const { text, timedOut } = await send(port, bytes);
        const shown = JSON.stringify(bytes.toString('latin1'));
        assert.ok(!timedOut, `no answer nor close within 4 s: ${shown} -> ${JSON.stringify(text)}`);
        const status = /^HTTP\/1\.1 (\d{3}) /.exec(
          text.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, ''),
        );
        // RFC 9112 3.2: one Host on HTTP/1.1, at most one on 1.0, a host[:port]; else a 400.
        const host =
          ours.kind === 'request' &&
          (ours.head.hosts === 1 || (ours.head.hosts === 0 && ours.head.minor === 0)) &&
          hostsValid(ours.head.headers);
        if (ours.kind === 'request' && !ours.head.upgrade && host) {
          assert.ok(
            status,
            `an accepted request got no response: ${shown} -> ${JSON.stringify(text)}`,
          );
          assert.ok(Number(status[1]) < 400 || status[1] === '404', `${shown} -> ${status[1]}`);
          served++;
        } else if (status) {
          assert.ok(Number(status[1]) < 500, `${shown} -> ${JSON.stringify(text.slice(0, 200))}`);
        }
      }
      // About one in ten: most samples lack a Host, send two, or one that is no host[:port].
      assert.ok(served > CASES / 20, `only ${served} accepted requests`);
      const crashes = lines.filter((l) => CRASH_PATTERN.test(l));
      assert.deepEqual(crashes, []);
      const probe = await send(port, Buffer.from('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n'));
      assert.match(probe.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Hello, world!$/);
    });
  });
}
