/**
 * The `app =` line an operator should write when a migrated uwsgi.ini still names its Python app
 * (`module`, `wsgi-file`, `callable`): shown when no app is given, so the fix is copy-paste.
 */
import type { RawSetting } from './origin.js';

const MODULE_KEYS = new Set(['module', 'wsgi']);
const FILE_KEYS = new Set(['wsgi-file', 'file']);

/** `mysite.wsgi:application` → `mysite/wsgi.ts:application`; `app.py` → `app.ts`. */
export function appLineFor(settings: readonly RawSetting[]): string | null {
  let path: string | null = null;
  let name: string | null = null;
  for (const { name: key, value } of settings) {
    if (value === null) continue;
    if (MODULE_KEYS.has(key)) {
      const [module = '', callable] = value.trim().split(':');
      path = `${module.replace(/\./g, '/')}.ts`;
      if (callable) name = callable;
    } else if (FILE_KEYS.has(key)) {
      path = value.trim().replace(/\.py$/, '.ts');
    } else if (key === 'callable') {
      name = value.trim();
    }
  }
  if (path === null) return null;
  return `app = ${path}${name === null ? '' : `:${name}`}`;
}
