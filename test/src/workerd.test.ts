/**
 * src/ in real workerd (Miniflare 4, no mocks): a worker built from the core alone, with the
 * validator and both middlewares, bundled by esbuild without any Node built-in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  bundleWorker,
  startWorker,
  type TempDir,
  tempDir,
  type WorkerRun,
} from '../helpers/workerd.js';

const ENTRY = fileURLToPath(new URL('./workerd-worker.ts', import.meta.url));

describe('src/ in workerd', () => {
  let tmp: TempDir | undefined;
  let worker: WorkerRun | undefined;
  before(async () => {
    tmp = tempDir();
    worker = await startWorker(await bundleWorker(ENTRY, tmp.dir));
  });
  after(async () => {
    await worker?.dispose();
    tmp?.remove();
  });
  const request = async (path: string, init: RequestInit = {}) =>
    (await worker!.mf.dispatchFetch(`${worker!.url}${path}`, init as never)) as unknown as Response;

  it('streams an async generator with Server-Timing from the middleware', async () => {
    const res = await request('/stream');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('server-timing') ?? '', /^app;dur=/);
    assert.equal(await res.text(), 'chunk 0;chunk 1;chunk 2;');
  });
  it('reads the body through wsgi.input', async () => {
    const body = `first\n${'x'.repeat(200_000)}`;
    const res = await request('/echo', { method: 'POST', body });
    assert.equal(await res.text(), body);
  });
  it('urlMap moves the prefix into SCRIPT_NAME; PATH_INFO is latin-1 bytes', async () => {
    const res = await request('/path/caf%C3%A9?q=%20');
    assert.equal(await res.text(), '/path|/caf\u00c3\u00a9|q=%20');
  });
  it('a header value workerd decodes past U+00FF reaches the environ as its UTF-8 bytes', async () => {
    // The wire bytes of "€" (E2 82 AC), written as latin-1 chars: workerd hands over "\u20ac".
    const res = await request('/header', { headers: { 'x-name': '\u00e2\u0082\u00ac' } });
    assert.deepEqual(JSON.parse(await res.text()), [0xe2, 0x82, 0xac]);
  });
  it('a non-ASCII header value reaches the environ as its UTF-8 bytes, as on the gateway', async () => {
    // "café" on the wire (63 61 66 C3 A9): workerd hands over "caf\u00e9", one char for two bytes.
    const res = await request('/header', { headers: { 'x-name': 'caf\u00c3\u00a9' } });
    assert.deepEqual(JSON.parse(await res.text()), [0x63, 0x61, 0x66, 0xc3, 0xa9]);
  });
  it('a validator breach is a 500', async () => {
    const res = await request('/fail');
    assert.equal(res.status, 500);
    await res.arrayBuffer();
  });
});
