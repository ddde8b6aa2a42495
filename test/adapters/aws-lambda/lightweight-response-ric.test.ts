/**
 * installLightweightResponse() from tsgi/aws-lambda under AWS's runtime interface client: the
 * Hono app runs on the lightweight global Response (what the gateway installs) and every result,
 * buffered and streamed, is the one it gets on Node's own Response: status, headers, cookies,
 * base64 bytes, a streamed body, a 204. Without the call, the bundle leaves the class out.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  parseStreamedHttpResponse,
  type RuntimeApi,
  startRuntimeApi,
} from '../../helpers/lambda-runtime-api.js';
import { makeEvent } from './events-builder.js';
import { buildExampleInto, type RicProcess, ROOT, requireRic, startRic } from './ric-process.js';

const FIXTURES = join(ROOT, 'test/adapters/aws-lambda/fixtures/lightweight');
const PATHS = ['/json/7', '/cookies', '/bytes', '/stream', '/empty'];

interface Runtime {
  buffered: RuntimeApi;
  streaming: RuntimeApi;
}

describe('aws-lambda: installLightweightResponse under aws-lambda-ric', () => {
  const roots: string[] = [];
  const apis: RuntimeApi[] = [];
  const rics: RicProcess[] = [];
  const runtimes: Record<'lightweight' | 'native', Runtime> = {} as never;
  const bundles: Record<'lightweight' | 'native', string> = {} as never;

  before(async () => {
    requireRic();
    for (const kind of ['lightweight', 'native'] as const) {
      const root = mkdtempSync(join(tmpdir(), `tsgi-lambda-${kind}-`));
      roots.push(root);
      await buildExampleInto(join(FIXTURES, `${kind}-entry.ts`), root);
      bundles[kind] = readFileSync(join(root, 'index.mjs'), 'utf8');
      const buffered = await startRuntimeApi();
      const streaming = await startRuntimeApi();
      apis.push(buffered, streaming);
      rics.push(startRic(root, 'handler', buffered.address));
      rics.push(startRic(root, 'streamingHandler', streaming.address));
      runtimes[kind] = { buffered, streaming };
    }
  });
  after(async () => {
    for (const r of rics) await r.stop();
    for (const a of apis) await a.close();
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  async function buffered(kind: 'lightweight' | 'native', path: string): Promise<unknown> {
    const outcome = await runtimes[kind].buffered.invoke(makeEvent('function-url', { path }));
    assert.equal(outcome.kind, 'response', outcome.body.toString());
    return JSON.parse(outcome.body.toString());
  }

  async function streamed(kind: 'lightweight' | 'native', path: string) {
    const outcome = await runtimes[kind].streaming.invoke(makeEvent('function-url', { path }));
    assert.equal(outcome.kind, 'response', outcome.body.toString());
    const { prelude, body } = parseStreamedHttpResponse(outcome.body);
    return { prelude, body: body.toString('base64') };
  }

  test('the call puts the lightweight Response in place; without it Node’s stays', async () => {
    const kindOf = async (kind: 'lightweight' | 'native') =>
      ((await buffered(kind, '/kind')) as { body: string }).body;
    assert.equal(await kindOf('lightweight'), 'lightweight');
    assert.equal(await kindOf('native'), 'native');
    // The class's own marker: only the bundle that calls the installer carries it.
    assert.ok(bundles.lightweight.includes('native response'));
    assert.ok(!bundles.native.includes('native response'));
  });

  for (const path of PATHS) {
    test(`${path}: the same result on both, buffered and streamed`, async () => {
      assert.deepEqual(await buffered('lightweight', path), await buffered('native', path));
      assert.deepEqual(await streamed('lightweight', path), await streamed('native', path));
    });
  }
});
