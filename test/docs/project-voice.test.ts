/**
 * The README and the docs speak of the project and its users: no notes about the sessions the
 * project was built in ("found at the end of the first session", "other sessions were running").
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/built.js';

const PAGES = [
  'README.md',
  'CHANGELOG.md',
  'deploy/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => `docs/${n}`),
];

describe('README and docs speak of the project only', () => {
  it('no page talks about work sessions', () => {
    const found: string[] = [];
    for (const page of PAGES) {
      const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/\b(this|other|first|work|previous|next|a later) sessions?\b/i.test(line)) {
          found.push(`${page}:${i + 1}: ${line.trim()}`);
        }
      });
    }
    assert.deepEqual(found, []);
  });

  it('"Known issues" in the README lists product facts, and npm test covers Node 20 and 24', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const known = readme.slice(readme.indexOf('## Known issues'));
    assert.doesNotMatch(known, /\bflake|for now|once a few\b/i);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.match(pkg.scripts.test ?? '', /scripts\/test\.mjs --both\b/);
    assert.match(readFileSync(join(ROOT, 'scripts/setup.sh'), 'utf8'), /node@\$major/);
  });
});
