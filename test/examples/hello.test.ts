import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createErrors, toFetch, validator } from 'tsgi';
import app from '../../examples/hello.js';

describe('examples/hello', () => {
  const lines: string[] = [];
  const fetch = toFetch(validator(app), {
    environOptions: { errors: createErrors((l) => lines.push(l)) },
  });
  it('says Hello, World! on /', async () => {
    const res = await fetch(new Request('http://localhost/'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'Hello, World!');
  });
  it('shows the environ as JSON on /environ', async () => {
    const res = await fetch(
      new Request('https://localhost:8443/environ?a=1', { headers: { 'x-y': 'z' } }),
    );
    const environ = (await res.json()) as Record<string, unknown>;
    assert.equal(environ.PATH_INFO, '/environ');
    assert.equal(environ.QUERY_STRING, 'a=1');
    assert.equal(environ.HTTP_X_Y, 'z');
    assert.equal(environ.SERVER_PORT, '8443');
    assert.equal(environ['wsgi.url_scheme'], 'https');
    assert.deepEqual(environ['wsgi.version'], [1, 0]);
    assert.equal(environ['wsgi.input'], '[object]');
  });
  it('answers 404 elsewhere', async () => {
    const res = await fetch(new Request('http://localhost/nope'));
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  });
  it('broke no validator rule', () => {
    assert.deepEqual(lines, []);
  });
});
