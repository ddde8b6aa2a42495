/**
 * Hono's own behaviour through fromHono (the suite of test/adapters/hono/behaviour-suite.ts) with
 * the lightweight global Response installed, as a gateway worker runs a Hono app by default; and
 * a TSGI app inside that Hono app (toHono), whose Response is built by toResponse.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { environFromRequest, responseParts, runApp } from 'tsgi';
import { fromHono, toHono } from 'tsgi/hono';
import { installLightweightResponse } from '../../src/lightweight-response.js';
import { honoBehaviour } from '../adapters/hono/behaviour-suite.js';

const native = globalThis.Response;
installLightweightResponse();
assert.notEqual(globalThis.Response, native);

honoBehaviour('src/lightweight-response: a Hono app behaves the same on it');

describe('src/lightweight-response: a TSGI app inside a Hono app (toHono)', () => {
  it('the inner app’s status, headers and body reach the client; the Response stays light', async () => {
    const inner = toHono((environ, startResponse) => {
      startResponse('201 Made', [
        ['content-type', 'text/plain'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]);
      return [`inner ${environ.SCRIPT_NAME} ${environ.PATH_INFO}`];
    });
    const hono = new Hono();
    let light = false;
    hono.all('/legacy/*', async (c) => {
      const response = await inner(c);
      light = responseParts(response) !== undefined;
      return response;
    });
    const r = await runApp(
      fromHono(hono),
      environFromRequest(new Request('http://h.test/legacy/x')),
    );
    assert.ok(light);
    assert.equal(r.statusLine, '201 Made');
    assert.deepEqual(r.headers, [
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    assert.equal(Buffer.concat(r.chunks).toString(), 'inner /legacy /x');
    await r.close();
  });
});
