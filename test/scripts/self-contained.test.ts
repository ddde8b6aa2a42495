/**
 * The suite runs from a clone with nothing beside it: no test or bench file reads a folder outside
 * the repository (sample events and other fixtures are vendored under test/).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mjs|js|sh)$/.test(name)) out.push(p);
  }
  return out;
}

describe('the test suite is self-contained', () => {
  it('no test, helper or script reaches outside the repository', () => {
    const outside = /\.\.\/shared\b|\/work\/shared|'\.\.\/\.\.\/\.\.\/\.\.\/'/;
    const offenders = [...sourceFiles(join(ROOT, 'test')), ...sourceFiles(join(ROOT, 'scripts'))]
      .filter((f) => !f.endsWith('self-contained.test.ts'))
      .filter((f) => outside.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    assert.deepEqual(offenders, []);
  });

  it('the vendored Lambda sample events come with their sources', () => {
    const dir = join(ROOT, 'test/adapters/aws-lambda/fixtures/events');
    const names = readdirSync(dir);
    assert.ok(names.includes('SOURCES.md'));
    const sources = readFileSync(join(dir, 'SOURCES.md'), 'utf8');
    for (const json of names.filter((n) => n.endsWith('.json'))) {
      assert.ok(sources.includes(`\`${json}\``), `${json} has no row in SOURCES.md`);
    }
  });
});
