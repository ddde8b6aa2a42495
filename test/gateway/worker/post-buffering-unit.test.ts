/** postBuffering() as a middleware over runApp: the app sees the whole body, from memory or a temp file. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { type App, createErrors, createInput, type Environ, runApp } from 'tsgi';
import { postBuffering } from '../../../gateway/worker/post-buffering.js';

function environFor(chunks: Uint8Array[], length: number): Environ {
  let pulled = 0;
  async function* source() {
    for (const c of chunks) {
      pulled++;
      yield c;
    }
  }
  const environ = {
    REQUEST_METHOD: 'POST',
    SCRIPT_NAME: '',
    PATH_INFO: '/',
    QUERY_STRING: '',
    CONTENT_LENGTH: String(length),
    SERVER_NAME: 'x',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    'wsgi.version': [1, 0] as const,
    'wsgi.url_scheme': 'http' as const,
    'wsgi.input': createInput(source()),
    'wsgi.errors': createErrors(() => {}),
    'wsgi.multithread': false,
    'wsgi.multiprocess': true,
    'wsgi.run_once': false,
    pulled: () => pulled,
  };
  return environ as unknown as Environ;
}

const echo: App = async (environ, startResponse) => {
  const pulledBefore = (environ.pulled as () => number)();
  const body = await environ['wsgi.input'].read();
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [`${pulledBefore} ${body.length} ${body[0]} ${body[body.length - 1]}`];
};

async function text(app: App, environ: Environ): Promise<string> {
  const r = await runApp(app, environ);
  let out = '';
  for await (const c of r.body) out += new TextDecoder().decode(c);
  await r.close();
  return out;
}

const spools = () => readdirSync(tmpdir()).filter((n) => n.startsWith('tsgi-post-')).length;

describe('gateway/worker/post-buffering', () => {
  it('reads a small body into memory before calling the app', async () => {
    const chunks = [new Uint8Array([1, 2]), new Uint8Array([3, 4, 5])];
    assert.equal(await text(postBuffering(echo, 100), environFor(chunks, 5)), '2 5 1 5');
  });

  it('spools a body over the limit to a temp file, and leaves no file behind', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => new Uint8Array(1000).fill(i));
    const before = spools();
    assert.equal(
      await text(postBuffering(echo, 4096), environFor(chunks, 50_000)),
      '50 50000 0 49',
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(spools(), before);
  });

  it('is a no-op when off (0): the app streams the body itself', async () => {
    const chunks = [new Uint8Array([9]), new Uint8Array([8])];
    assert.equal(await text(postBuffering(echo, 0), environFor(chunks, 2)), '0 2 9 8');
  });
});
