/**
 * Substitutions inside config-file values, after uWSGI:
 * - magic variables, fixed when the file is read: %d dir of the file (with trailing slash),
 *   %p absolute path, %s file name, %n name without extension, %e extension, %c name of the
 *   file's directory, %o path as given, %x section (empty unless one was named), %v working
 *   directory, %k CPU cores, %h hostname, %% a literal percent;
 * - `$(NAME)` environment variables (unset is an error, where uWSGI substitutes nothing);
 * - `%(name)` placeholders: the value of the FIRST occurrence of `name` in the config files (or
 *   a `set-placeholder name=value`); an undefined `%(name)` stays as written, which is what
 *   keeps log-format's `%(uri)` intact.
 * Substituted text is never rescanned. Pure: the caller supplies the file facts and the env.
 */
import { basename, dirname, extname } from 'node:path';
import { configError } from './errors.js';

export interface FileFacts {
  /** The path as the operator wrote it. */
  readonly given: string;
  readonly absolute: string;
  /** The section named with `file.ini:section`, or null. */
  readonly section: string | null;
  readonly cwd: string;
}

export interface HostFacts {
  readonly cpus: number;
  readonly hostname: string;
}

export function magicVariables(file: FileFacts, host: HostFacts): Readonly<Record<string, string>> {
  const dir = dirname(file.absolute);
  const ext = extname(file.absolute);
  return {
    d: dir.endsWith('/') ? dir : `${dir}/`,
    p: file.absolute,
    s: basename(file.absolute),
    n: basename(file.absolute, ext),
    e: ext.replace(/^\./, ''),
    c: basename(dir),
    o: file.given,
    x: file.section ?? '',
    v: file.cwd,
    k: String(host.cpus),
    h: host.hostname,
  };
}

/** `%` in substituted text is doubled so the placeholder pass reads it back as a literal. */
const escapePercent = (s: string): string => s.replace(/%/g, '%%');

/** First pass, at read time: magic variables and $(ENV). `%%` and `%(` are kept for pass two. */
export function expandMagicAndEnv(
  value: string,
  magic: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
): string {
  return value.replace(
    /%(.)|\$\(([^)]*)\)/g,
    (match, letter: string | undefined, name?: string) => {
      if (letter !== undefined) {
        const sub = magic[letter];
        return sub === undefined ? match : escapePercent(sub);
      }
      const sub = env[name!];
      if (sub === undefined) {
        throw configError('ERR_CONFIG_UNDEFINED_ENV', `$(${name}) in ${where}`);
      }
      return escapePercent(sub);
    },
  );
}

/** Second pass: %(name) placeholders and %% → %. `lookup` gives a placeholder's raw value. */
export function expandPlaceholders(
  value: string,
  lookup: (name: string) => string | undefined,
  where: string,
  stack: readonly string[] = [],
): string {
  return value.replace(/%%|%\(([^)]*)\)/g, (match, name?: string) => {
    if (name === undefined) return '%';
    const raw = lookup(name);
    if (raw === undefined) return match;
    if (stack.includes(name)) {
      throw configError(
        'ERR_CONFIG_PLACEHOLDER_LOOP',
        `${[...stack, name].join(' → ')} in ${where}`,
      );
    }
    return expandPlaceholders(raw, lookup, where, [...stack, name]);
  });
}
