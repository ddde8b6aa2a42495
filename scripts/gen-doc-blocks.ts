// Rewrites the generated blocks of docs/*.md and deploy/README.md (see scripts/doc-blocks.ts).
// Run: node --conditions=source --import tsx scripts/gen-doc-blocks.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pagesWithBlocks, ROOT, renderPage } from './doc-blocks.js';

for (const page of pagesWithBlocks()) {
  const path = join(ROOT, page);
  const before = readFileSync(path, 'utf8');
  const after = await renderPage(before);
  if (after !== before) {
    writeFileSync(path, after);
    console.log(`wrote ${page}`);
  } else {
    console.log(`${page} is current`);
  }
}
