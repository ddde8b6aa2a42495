/** Relative links in the docs pages point at files (and #anchors at headings) that exist. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../deploy/lib/tsgi-cli.js';
import { STRICT_PAGES } from './lib/doc-samples.js';
import { anchorsOf, linksOf } from './lib/markdown-links.js';

describe('links in the docs', () => {
  for (const page of STRICT_PAGES) {
    it(`${page}: every relative link resolves`, () => {
      const text = readFileSync(join(ROOT, page), 'utf8');
      const broken: string[] = [];
      for (const link of linksOf(text)) {
        if (/^[a-z]+:/.test(link)) continue;
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? join(ROOT, page) : normalize(join(ROOT, dirname(page), path));
        if (!existsSync(target)) {
          broken.push(link);
          continue;
        }
        if (
          anchor &&
          target.endsWith('.md') &&
          !anchorsOf(readFileSync(target, 'utf8')).has(anchor)
        ) {
          broken.push(link);
        }
      }
      assert.deepEqual(broken, []);
    });
  }

  it('the checker finds links and anchors', () => {
    assert.deepEqual(linksOf('[a](x.md#y) `[b](no)`\n```\n[c](no)\n```\n'), ['x.md#y']);
    assert.ok(anchorsOf('## Every uWSGI key\n').has('every-uwsgi-key'));
    assert.ok(
      anchorsOf('## Permission denied on the socket\n').has('permission-denied-on-the-socket'),
    );
  });
});
