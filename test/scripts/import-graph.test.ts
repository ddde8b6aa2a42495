/**
 * scripts/import-graph.ts: the product's folders import downwards only (the layering in LAYERS)
 * and neither folders nor files form a cycle; and the check itself finds a cycle or an upward import when there is one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze, readSources, specifiers } from '../../scripts/import-graph.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('scripts/import-graph.ts', () => {
  const graph = analyze(readSources(ROOT));

  it('finds no cycle between folders', () => {
    assert.deepEqual(graph.unitCycles, []);
  });

  it('finds no cycle between files (type-only imports count)', () => {
    assert.deepEqual(graph.fileCycles, []);
  });

  it('finds no import from a lower layer to a higher one, and none between adapters', () => {
    assert.deepEqual(
      graph.upward.map((u) => `${u.from} → ${u.to} (${u.why})`),
      [],
    );
  });

  it('places every product file in a layer', () => {
    assert.deepEqual(graph.unlayered, []);
    assert.ok(graph.files > 100, `read ${graph.files} files`);
  });

  it('reports a folder cycle, an upward import and an adapter importing another', () => {
    const bad = analyze(
      new Map([
        ['gateway/uwsgi/a.ts', "import { b } from '../server/b.js';"],
        ['gateway/server/b.ts', "import type { A } from '../uwsgi/a.js';\nexport const b = 1;"],
        ['adapters/hono/index.ts', "export { x } from '../aws-lambda/index.js';"],
        ['adapters/aws-lambda/index.ts', 'export const x = 1;'],
        ['gateway/nowhere/c.ts', "const m = await import('../uwsgi/a.js');"],
      ]),
    );
    assert.deepEqual(bad.unitCycles, [['gateway/server', 'gateway/uwsgi']]);
    assert.deepEqual(bad.fileCycles, [['gateway/server/b.ts', 'gateway/uwsgi/a.ts']]);
    assert.deepEqual(
      bad.upward.map((u) => `${u.from} → ${u.to}`),
      [
        'gateway/uwsgi/a.ts → gateway/server/b.ts',
        'adapters/hono/index.ts → adapters/aws-lambda/index.ts',
      ],
    );
    assert.deepEqual(bad.unlayered, ['gateway/nowhere/c.ts']);
    assert.equal(bad.between.get('gateway/nowhere → gateway/uwsgi'), 1);
  });

  it('reads static, re-export, side-effect, multi-line and dynamic imports; skips packages', () => {
    const source = [
      "import { a } from './a.js';",
      'import {',
      '  b,',
      '  type C,',
      "} from '../b.js';",
      "export type { D } from './d.js';",
      "import './side.js';",
      "const e = await import('./e.js');",
      "import { readFileSync } from 'node:fs';",
      "import { Hono } from 'hono';",
    ].join('\n');
    assert.deepEqual(specifiers(source).sort(), [
      '../b.js',
      './a.js',
      './d.js',
      './e.js',
      './side.js',
    ]);
  });
});
