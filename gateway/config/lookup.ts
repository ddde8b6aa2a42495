/**
 * Turns a name from any source into a table entry, or into the error an operator needs: unknown
 * (with the nearest name), Python-only or unsupported uWSGI key (with advice), or not allowed in
 * this kind of source.
 */
import type { TsgiError } from '../../src/errors.js';
import { configError } from './errors.js';
import { findOption, knownNames, type OptionEntry, toEnvName } from './options.js';
import { type Origin, placeOf } from './origin.js';
import { suggest } from './suggest.js';
import { PYTHON_ONLY_KEYS, UNSUPPORTED_UWSGI_KEYS } from './uwsgi-keys.js';

/** How a name is spelled in its source, so the suggestion uses the same spelling. */
function spell(name: string, origin: Origin): string {
  if (origin.kind === 'env') return toEnvName(name);
  if (origin.kind === 'cli') return `--${name}`;
  return name;
}

export type Lookup = { readonly entry: OptionEntry } | { readonly error: TsgiError };

export function lookupOption(name: string, origin: Origin): Lookup {
  const where = placeOf(origin);
  const shown = origin.kind === 'env' ? origin.name : origin.kind === 'cli' ? origin.flag : name;
  const entry = findOption(name);
  if (entry) {
    const kind = origin.kind === 'ini' || origin.kind === 'json' ? 'file' : origin.kind;
    if (kind !== 'default' && !entry.spec.sources.includes(kind)) {
      const allowed = entry.spec.sources.includes('file')
        ? 'command line or config files'
        : 'command line';
      return {
        error: configError(
          'ERR_CONFIG_CLI_ONLY',
          `'${shown}' ${where} (only allowed on the ${allowed})`,
        ),
      };
    }
    return { entry };
  }
  const python = PYTHON_ONLY_KEYS[name];
  if (python !== undefined) {
    return { error: configError('ERR_CONFIG_PYTHON_ONLY', `'${shown}' ${where}: ${python}`) };
  }
  const unsupported = UNSUPPORTED_UWSGI_KEYS[name];
  if (unsupported !== undefined) {
    return {
      error: configError('ERR_CONFIG_NOT_SUPPORTED', `'${shown}' ${where}: ${unsupported}`),
    };
  }
  const near = suggest(name, knownNames());
  const hint = near === undefined ? '' : ` (did you mean '${spell(near, origin)}'?)`;
  return { error: configError('ERR_CONFIG_UNKNOWN_OPTION', `'${shown}' ${where}${hint}`) };
}
