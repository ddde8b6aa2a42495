/**
 * APP in any project: every row of the table in docs/app-loading.md, loaded by the built loader in
 * a plain Node process (no tsx preloaded, as a user runs `tsgi`), then called once. The suite runs
 * this file on Node 20 and on Node 24. fixtures/app-kinds/esm is a "type": "module" package,
 * fixtures/app-kinds/cjs is what `npm init -y` makes (no "type").
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../../helpers/built.js';

const KINDS = fileURLToPath(new URL('../fixtures/app-kinds/', import.meta.url));
const PROBE = fileURLToPath(new URL('../fixtures/load-probe.mjs', import.meta.url));

interface Probe {
  status?: number;
  body?: string;
  error?: string;
  notes: string[];
}

let dist = '';

function probe(pkg: 'esm' | 'cjs', spec: string): Probe {
  const out = execFileSync(process.execPath, [PROBE, dist, join(KINDS, pkg), spec], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Probe;
}

/** The rows of the docs table: package, APP, the body the app answers. */
const ROWS: Array<[pkg: 'esm' | 'cjs', spec: string, body: string]> = [
  ['esm', 'app.ts', 'ts-default esm /probe'],
  ['cjs', 'app.ts', 'ts-default cjs /probe'],
  ['esm', 'app.mts', 'mts-default esm'],
  ['cjs', 'app.mts', 'mts-default cjs'],
  ['esm', 'app.cts', 'cts-module-exports esm'],
  ['cjs', 'app.cts', 'cts-module-exports cjs'],
  ['esm', 'app.js', 'js-default esm'],
  ['cjs', 'app.js', 'js-module-exports cjs'],
  ['cjs', 'esm-syntax.js', 'js-esm-syntax cjs'],
  ['esm', 'app.mjs', 'mjs-default esm'],
  ['cjs', 'app.mjs', 'mjs-default cjs'],
  ['esm', 'app.cjs', 'cjs-module-exports esm'],
  ['cjs', 'app.cjs', 'cjs-module-exports cjs'],
  ['cjs', 'dist/app.js', 'tsc-commonjs cjs'],
  ['esm', 'named.ts:api', 'ts-named esm'],
  ['cjs', 'named.ts:api', 'ts-named cjs'],
  ['cjs', 'handlers.js:api', 'js-named cjs'],
  ['esm', 'hono.ts', 'hono esm /probe'],
  ['cjs', 'hono.ts', 'hono cjs /probe'],
];

describe(`app loading on Node ${process.version}`, () => {
  before(async () => {
    dist = await ensureBuilt();
  });

  for (const [pkg, spec, body] of ROWS) {
    it(`${pkg} package: ${spec}`, () => {
      const result = probe(pkg, spec);
      assert.equal(result.error, undefined, result.error);
      assert.equal(result.status, 200);
      assert.equal(result.body, body);
    });
  }

  it('a Hono instance is served through fromHono, and the log says so', () => {
    const { notes } = probe('cjs', 'hono.ts');
    assert.deepEqual(notes, [
      'hono.ts: `default` is a Hono app, served through fromHono (tsgi/hono)',
    ]);
  });

  it('no usable default but app-like named exports: the error suggests path:name', () => {
    const { error } = probe('esm', 'named.ts');
    assert.match(error ?? '', /ERR_GATEWAY_APP_EXPORT/);
    assert.match(error ?? '', /name one of them: named\.ts:api\b/);
    assert.doesNotMatch(error ?? '', /named\.ts:VERSION/);
  });

  it('an import that throws shows its stack, down to the app file and line', () => {
    const { error } = probe('cjs', 'throws.ts');
    assert.match(
      error ?? '',
      /ERR_GATEWAY_APP_LOAD: .*throws\.ts: database unreachable at start-up/,
    );
    assert.match(error ?? '', /at connect \(.*throws\.ts:3:\d+\)/);
  });

  it('CommonJS in a "type": "module" package: the error says to rename it .cjs', () => {
    const { error } = probe('esm', 'commonjs-in-esm.js');
    assert.match(error ?? '', /ERR_GATEWAY_APP_LOAD/);
    assert.match(error ?? '', /hint: .*"type": "module": rename it to \.cjs/);
  });
});
