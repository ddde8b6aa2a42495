import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toFetch } from 'tsgi';
import app from '../../examples/hono-app.js';

describe('examples/hono-app', () => {
  const fetch = toFetch(app);
  it('answers on / through TSGI', async () => {
    const res = await fetch(new Request('http://localhost/'));
    assert.equal(await res.text(), 'Hello from Hono!');
  });
  it('routes parameters', async () => {
    const res = await fetch(new Request('http://localhost/greet/ada'));
    assert.deepEqual(await res.json(), { hello: 'ada' });
  });
  it('echoes a POST body', async () => {
    const body = new Uint8Array(100_000).map((_, i) => i % 251);
    const res = await fetch(
      new Request('http://localhost/echo', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-bin' },
      }),
    );
    assert.equal(res.headers.get('content-type'), 'application/x-bin');
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), body);
  });
});
