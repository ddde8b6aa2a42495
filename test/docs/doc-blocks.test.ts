/** The generated blocks of docs/*.md and deploy/README.md are current (scripts/gen-doc-blocks.ts). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findBlocks, pagesWithBlocks, ROOT, renderBlock } from '../../scripts/doc-blocks.js';

describe('generated doc blocks', () => {
  const pages = pagesWithBlocks();

  it('are found in the guide and deploy/README.md', () => {
    assert.ok(pages.includes('docs/migrating-from-uwsgi.md'));
  });

  for (const page of pages) {
    it(`${page} is current (run scripts/gen-doc-blocks.ts after a change)`, async () => {
      const text = readFileSync(join(ROOT, page), 'utf8');
      const blocks = findBlocks(text);
      assert.equal(blocks.length, text.match(/<!-- BEGIN /g)?.length, 'every BEGIN has its END');
      for (const block of blocks) {
        const expected = await renderBlock(block.kind, block.name);
        assert.equal(block.current, expected, `${block.kind}:${block.name} in ${page}`);
      }
    });
  }
});
