/**
 * uWSGI option → tsgi option rows, derived from the table and the uWSGI key lists, for the
 * migration guide (docs/migrating-from-uwsgi.md) and OPTIONS.md.
 */
import { OPTION_LIST } from './options.js';
import {
  BUILT_IN_UWSGI_KEYS,
  PYTHON_ALIASES,
  PYTHON_ONLY_KEYS,
  UNSUPPORTED_UWSGI_KEYS,
} from './uwsgi-keys.js';

/** Python keys whose job the `app` option does. */
const APP_KEYS = new Set(['module', 'wsgi', 'wsgi-file', 'file', 'callable']);

export interface MigrationRow {
  /** The uWSGI option name. */
  readonly uwsgi: string;
  /** The tsgi option (file key / flag name) that replaces it, or null. */
  readonly tsgi: string | null;
  /** How tsgi differs, or what to do instead. */
  readonly note: string;
  readonly kind: 'same' | 'planned' | 'python-only' | 'built-in' | 'unsupported';
}

export function uwsgiMigrationRows(): MigrationRow[] {
  const rows: MigrationRow[] = [];
  for (const { name, spec } of OPTION_LIST) {
    if (spec.uwsgi === null) continue;
    const names = spec.uwsgi.split(',').map((s) => s.trim());
    for (const uwsgi of new Set([...names, ...(spec.aliases ?? [])])) {
      if (uwsgi in PYTHON_ONLY_KEYS) continue; // listed below, with the advice the loader gives
      const kind = spec.status === 'planned' ? 'planned' : 'same';
      rows.push({ uwsgi, tsgi: name, note: spec.uwsgiNote ?? '', kind });
    }
  }
  for (const [uwsgi, note] of Object.entries(PYTHON_ONLY_KEYS)) {
    const tsgi = APP_KEYS.has(uwsgi) ? 'app' : (PYTHON_ALIASES[uwsgi] ?? null);
    rows.push({ uwsgi, tsgi, note, kind: 'python-only' });
  }
  for (const [uwsgi, note] of Object.entries(BUILT_IN_UWSGI_KEYS)) {
    rows.push({ uwsgi, tsgi: null, note, kind: 'built-in' });
  }
  for (const [uwsgi, note] of Object.entries(UNSUPPORTED_UWSGI_KEYS)) {
    rows.push({ uwsgi, tsgi: null, note, kind: 'unsupported' });
  }
  const seen = new Set<string>();
  return rows
    .filter((r) => !seen.has(r.uwsgi) && seen.add(r.uwsgi))
    .sort((a, b) => a.uwsgi.localeCompare(b.uwsgi));
}
