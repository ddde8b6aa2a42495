/**
 * `tsgi --print-config`: every option with its value and the source that set it (gunicorn
 * --print-config, uWSGI --show-config). The output is an INI file: values that did not come from
 * the defaults are real lines, so it loads back with --ini; defaults are shown as comments.
 */

import { formatValues } from './format-value.js';
import type { LoadResult } from './load.js';
import { OPTION_LIST } from './options.js';

export function renderPrintConfig(result: Pick<LoadResult, 'config' | 'sources'>): string {
  const out = [
    '; tsgi --print-config: each option, its value and where it came from.',
    '; Lines starting with ; are defaults; the others load back with --ini.',
    '[tsgi]',
  ];
  for (const { key, name, spec } of OPTION_LIST) {
    if (!spec.sources.includes('file') || key === 'ini' || key === 'json') continue;
    const value = (result.config as Record<string, unknown>)[key];
    const values = formatValues(spec, value);
    const source = result.sources[key];
    if (source === 'default') {
      out.push(`;${name} = ${values.join(', ') || '(not set)'}  (default)`);
      continue;
    }
    out.push(`; from ${source}`);
    for (const v of values) out.push(`${name} = ${v}`);
  }
  return `${out.join('\n')}\n`;
}
