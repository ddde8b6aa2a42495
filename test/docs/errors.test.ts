import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  findErrorTables,
  ROOT,
  renderErrorsMarkdown,
  sourceFiles,
} from '../../scripts/error-tables.js';

describe('docs/errors.md', () => {
  it('is current with the error tables (run `npm run gen:docs` after editing a table)', async () => {
    const expected = renderErrorsMarkdown(await findErrorTables());
    const actual = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
    assert.equal(actual, expected);
  });

  it('has every code once, spelled ERR_*, with a message and a fix', async () => {
    const seen = new Map<string, string>();
    for (const { name, table } of await findErrorTables()) {
      for (const [code, spec] of Object.entries(table)) {
        assert.match(code, /^ERR_[A-Z0-9_]+$/, `${name}.${code}`);
        assert.ok(!seen.has(code), `${code} is in both ${seen.get(code)} and ${name}`);
        seen.set(code, name);
        assert.ok(
          spec.message.length > 0 && spec.fix.length > 0,
          `${code} needs a message and a fix`,
        );
        if (spec.status !== undefined) assert.ok(spec.status >= 400 && spec.status <= 599, code);
      }
    }
    assert.ok(seen.size > 10);
  });

  it('lists every ERR_ code the code base uses', async () => {
    const known = new Set<string>();
    for (const { table } of await findErrorTables())
      for (const code of Object.keys(table)) known.add(code);
    const missing: string[] = [];
    for (const file of sourceFiles()) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        // Comparisons with Node's own error codes (err.code === 'ERR_STREAM_...') are not ours.
        if (/\bcode\b|\bcase\s/.test(line)) continue;
        for (const m of line.matchAll(/['"`](ERR_[A-Z0-9_]+)['"`]/g)) {
          if (!known.has(m[1]!)) missing.push(`${m[1]} (${file.slice(ROOT.length)})`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });
});
