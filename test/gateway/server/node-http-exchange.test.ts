/**
 * Chunked request bodies on --http-socket (served by node:http) that break a limit, from outside:
 * the client's fault is logged as one warning-style line naming the limit and the option, never
 * as an app error with a stack, with and without post-buffering.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGateway } from '../../helpers/gateway.js';
import { freePort } from '../../helpers/nginx-front.js';

const APP = 'test/gateway/fixtures/app.ts';

/**
 * Sends `bytes`, half-closes, and resolves with what came back before the close (a server that
 * answers before reading everything closes with a reset: what arrived first still counts).
 */
function exchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';

describe('gateway/server/node-http-exchange: hostile chunked bodies', () => {
  const gateways: Array<{ g: GatewayProcess; port: number }> = [];

  before(async () => {
    for (const extra of [[], ['--post-buffering', '4096']]) {
      const port = await freePort();
      const g = await startGateway([
        '--http-socket',
        `127.0.0.1:${port}`,
        '--limit-post',
        '10000',
        ...extra,
        APP,
      ]);
      gateways.push({ g, port });
    }
  });
  after(async () => {
    for (const { g } of gateways) await g.stop();
  });

  const stackIn = (lines: string[]) => lines.filter((l) => /^tsgi: error: +at /.test(l));

  it('a chunked body over limit-post: 413, one line naming limit-post, no stack', async () => {
    for (const { g, port } of gateways) {
      const chunk = `1000\r\n${'a'.repeat(4096)}\r\n`;
      const reply = await exchange(port, Buffer.from(`${head}${chunk.repeat(4)}0\r\n\r\n`));
      assert.match(reply, /^HTTP\/1\.1 413 /);
      await g.waitForLine(/POST \/echo => 413/);
      assert.ok(
        g.lines.some((l) => /ERR_UWSGI_BODY_TOO_LARGE.*limit-post/.test(l)),
        g.lines.join('\n'),
      );
      assert.deepEqual(stackIn(g.lines), [], g.lines.join('\n'));
    }
  });

  it('trailers over buffer-size after the app began: 431, and no app error with a stack', async () => {
    for (const { g, port } of gateways) {
      const trailers = 'X-T: 1\r\n'.repeat(20_000);
      const reply = await exchange(port, Buffer.from(`${head}3\r\nabc\r\n0\r\n${trailers}\r\n`));
      assert.match(reply, /^HTTP\/1\.1 431 /);
      await g.waitForLine(/POST \/echo => /);
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(!g.lines.some((l) => /ERR_TSGI_APP_ERROR/.test(l)), g.lines.join('\n'));
      assert.deepEqual(stackIn(g.lines), [], g.lines.join('\n'));
    }
  });
});
