/**
 * Turns a name from any source into a table entry, or into what an operator needs to read: a
 * warning for a uWSGI key tsgi ignores (Python-only, or a job tsgi always does), an error for an
 * unknown name (with the nearest one), an unsupported uWSGI key (with advice), or a name not
 * allowed in this kind of source.
 */
import type { TsgiError } from '../../src/errors.js';
import { configError } from './errors.js';
import { findOption, knownNames, type OptionEntry, toEnvName } from './options.js';
import { type Origin, placeOf } from './origin.js';
import { suggest } from './suggest.js';
import {
  BUILT_IN_UWSGI_KEYS,
  PYTHON_ALIASES,
  PYTHON_ONLY_KEYS,
  UNSUPPORTED_UWSGI_KEYS,
} from './uwsgi-keys.js';

/** How a name is spelled in its source, so the suggestion uses the same spelling. */
function spell(name: string, origin: Origin): string {
  if (origin.kind === 'env') return toEnvName(name);
  if (origin.kind === 'cli') return `--${name}`;
  return name;
}

/**
 * `entry` (with `warning` when a Python spelling was read as a tsgi option), `ignored` (a
 * warning: the key means nothing to tsgi) or `error`.
 */
export type Lookup =
  | { readonly entry: OptionEntry; readonly warning?: TsgiError }
  | { readonly ignored: TsgiError }
  | { readonly error: TsgiError };

export function lookupOption(name: string, origin: Origin): Lookup {
  const where = placeOf(origin);
  const shown = origin.kind === 'env' ? origin.name : origin.kind === 'cli' ? origin.flag : name;
  const alias = PYTHON_ALIASES[name];
  const entry = findOption(alias ?? name);
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
    if (alias === undefined) return { entry };
    const note = PYTHON_ONLY_KEYS[name] ?? '';
    return {
      entry,
      warning: configError('ERR_CONFIG_PYTHON_ONLY', `'${shown}' ${where}: ${note}`),
    };
  }
  const python = PYTHON_ONLY_KEYS[name];
  if (python !== undefined) {
    return { ignored: configError('ERR_CONFIG_PYTHON_ONLY', `'${shown}' ${where}: ${python}`) };
  }
  const builtIn = BUILT_IN_UWSGI_KEYS[name];
  if (builtIn !== undefined) {
    return { ignored: configError('ERR_CONFIG_BUILT_IN', `'${shown}' ${where}: ${builtIn}`) };
  }
  const unsupported = UNSUPPORTED_UWSGI_KEYS[name];
  if (unsupported !== undefined) {
    return {
      error: configError('ERR_CONFIG_NOT_SUPPORTED', `'${shown}' ${where}: ${unsupported}`),
    };
  }
  const near = suggest(name, knownNames());
  const hint = near === undefined ? '' : ` (did you mean '${spell(near, origin)}'?)`;
  // A key pasted by mistake can be a whole file: the message keeps its start.
  const short = shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
  return { error: configError('ERR_CONFIG_UNKNOWN_OPTION', `'${short}' ${where}${hint}`) };
}
