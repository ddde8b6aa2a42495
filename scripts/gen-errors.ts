/** Writes docs/errors.md from every error table (see scripts/error-tables.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findErrorTables, ROOT, renderErrorsMarkdown } from './error-tables.js';

const text = renderErrorsMarkdown(await findErrorTables());
writeFileSync(join(ROOT, 'docs/errors.md'), text);
console.log('wrote docs/errors.md');
