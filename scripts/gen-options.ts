// Writes gateway/OPTIONS.md from the option table (gateway/config/options.ts).
// Run: node --conditions=source --import tsx scripts/gen-options.ts  (npm run gen:options)
import { writeFileSync } from 'node:fs';
import { OPTIONS_MD_PATH, renderOptionsMarkdown } from '../gateway/config/render-markdown.js';

const target = new URL(`../${OPTIONS_MD_PATH}`, import.meta.url);
writeFileSync(target, renderOptionsMarkdown());
console.log(`wrote ${OPTIONS_MD_PATH}`);
