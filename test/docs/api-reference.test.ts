/**
 * docs/api.md covers every export of every entry point, each with a description from its doc
 * comment. A new export without a doc comment fails here; a stale table fails doc-blocks.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  apiEntries,
  apiReference,
  exportedNames,
  firstParagraph,
} from '../../scripts/api-reference.js';
import { ROOT } from '../helpers/built.js';

const page = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');

describe('API reference', () => {
  const entries = apiEntries();

  for (const { entry, items } of entries) {
    it(`${entry}: every export has a doc comment and a row in docs/api.md`, () => {
      const undocumented = items.filter((i) => !i.doc || i.kind === '?').map((i) => i.name);
      assert.deepEqual(undocumented, [], `add a /** … */ comment to: ${undocumented.join(', ')}`);
      const section = page.slice(page.indexOf(`### \`${entry}\``));
      const end = section.indexOf('\n### ', 1);
      const rows = end === -1 ? section : section.slice(0, end);
      const missing = items.filter((i) => !rows.includes(`| \`${i.name}\` |`)).map((i) => i.name);
      assert.deepEqual(missing, [], 'run npm run gen:docs');
    });

    it(`${entry}: the list holds every value the module exports at run time`, async () => {
      const module = (await import(entry)) as Record<string, unknown>;
      const listed = new Set(items.map((i) => i.name));
      assert.deepEqual(
        Object.keys(module).filter((k) => !listed.has(k)),
        [],
      );
    });
  }

  it('the page holds the generated tables as they are now', () => {
    assert.ok(page.includes(apiReference().trim()), 'run npm run gen:docs');
  });

  it('the reader finds re-exports, namespaces and declarations, and first paragraphs', () => {
    const names = exportedNames(
      "export { a, type B, c as d } from './x.js';\nexport * as ns from './y.js';\nexport function f() {}\nexport type T = 1;\n",
    ).map((e) => e.name);
    assert.deepEqual(names.sort(), ['B', 'T', 'a', 'd', 'f', 'ns']);
    assert.equal(
      firstParagraph('/**\n * One line.\n * Two.\n *\n * Later.\n * @example x\n */'),
      'One line. Two.',
    );
  });
});
