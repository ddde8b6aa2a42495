/**
 * Substitutions inside config-file values, after uWSGI:
 * - magic variables, fixed when the file is read: %d dir of the file (with trailing slash),
 *   %p absolute path, %s file name, %n name without extension, %e extension, %c name of the
 *   file's directory, %o path as given, %x section (empty unless one was named), %v working
 *   directory, %k CPU cores, %h hostname, %% a literal percent;
 * - `$(NAME)` environment variables (unset is an error, where uWSGI substitutes nothing);
 * - `%(name)` placeholders: the value of the FIRST occurrence of `name` (TSGI_* variables first,
 *   then the command line with each config file read in place, as uWSGI orders its options), or
 *   a `set-placeholder name=value`; an undefined `%(name)` stays as written, which is what
 *   keeps log-format's `%(uri)` intact;
 * - placeholder math as uWSGI 1.9.20 has it: `%(foo + bar + 3)` is a left-to-right pipeline of
 *   whole numbers with + - * / (no precedence), `%(foo ++)`/`%(foo --)` add or take one, and two
 *   items with no operator between them are joined as text.
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

/** The names a value refers to with %(name) (each item of a %(a + b) formula). */
export function placeholderNames(value: string): string[] {
  const names: string[] = [];
  for (const m of value.matchAll(/%\(([^)]*)\)/g)) {
    for (const item of m[1]!.split(' ')) {
      if (item !== '' && !MATH_TOKENS.has(item) && !/^\d+$/.test(item)) names.push(item);
    }
  }
  return names;
}

const MATH_TOKENS = new Set(['+', '-', '*', '/', '++', '--']);

/** uWSGI's strtoll: the leading whole number of the text, 0 if none. */
const toInteger = (text: string): number => Number.parseInt(text, 10) || 0;

function applyOperator(op: string, left: string | null, right: string): string {
  if (op === 'concat') return (left ?? '') + right;
  const a = toInteger(left ?? '');
  const b = toInteger(right);
  if (op === '+') return String(a + b);
  if (op === '-') return String(a - b);
  if (op === '*') return String(a * b);
  return String(b === 0 ? 0 : Math.trunc(a / b));
}

/** `foo + bar + 3` → the pipeline's result; null when it produced nothing (left as written). */
function evaluateFormula(formula: string, nameValue: (name: string) => string): string | null {
  let current: string | null = null;
  let op = 'concat';
  for (const item of formula.split(' ')) {
    if (item === '') continue;
    if (item === '++' || item === '--') {
      if (current !== null) current = String(toInteger(current) + (item === '++' ? 1 : -1));
      op = 'concat';
      continue;
    }
    if (MATH_TOKENS.has(item)) {
      op = item;
      continue;
    }
    current = applyOperator(op, current, /^\d+$/.test(item) ? item : nameValue(item));
    op = 'concat';
  }
  return current;
}

/** Second pass: %(name) placeholders and %% → %. `lookup` gives a placeholder's raw value. */
export function expandPlaceholders(
  value: string,
  lookup: (name: string) => string | undefined,
  where: string,
  stack: readonly string[] = [],
): string {
  const expandName = (name: string): string | undefined => {
    const raw = lookup(name);
    if (raw === undefined) return undefined;
    if (stack.includes(name)) {
      throw configError(
        'ERR_CONFIG_PLACEHOLDER_LOOP',
        `${[...stack, name].join(' → ')} in ${where}`,
      );
    }
    return expandPlaceholders(raw, lookup, where, [...stack, name]);
  };
  return value.replace(/%%|%\(([^)]*)\)/g, (match, name?: string) => {
    if (name === undefined) return '%';
    const sub = name.includes(' ')
      ? evaluateFormula(name, (n) => expandName(n) ?? '')
      : expandName(name);
    return sub ?? match;
  });
}
