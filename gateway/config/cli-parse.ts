/**
 * argv → raw settings, through node:util parseArgs with its options generated from the table.
 * Booleans also get an explicit `--no-<name>` (Node 20's parseArgs has no allowNegative), and
 * accept `--flag=false`. Parsing is lenient (strict: false) so that unknown flags reach
 * lookupOption and get a "did you mean" instead of parseArgs' generic message.
 */
import { parseArgs } from 'node:util';
import type { TsgiError } from '../../src/errors.js';
import { configError } from './errors.js';
import { lookupOption } from './lookup.js';
import { findOption, OPTION_LIST } from './options.js';
import type { Origin, RawSetting } from './origin.js';
import {
  BUILT_IN_UWSGI_KEYS,
  FLAG_ONLY_IGNORED_KEYS,
  PYTHON_ONLY_KEYS,
  PYTHON_ONLY_SHORTS,
} from './uwsgi-keys.js';

export interface CliParse {
  readonly settings: readonly RawSetting[];
  /** Positional arguments that are not config files (the APP, normally one). */
  readonly positionals: readonly string[];
  readonly errors: readonly TsgiError[];
}

type ParseArgsOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function cliEntries() {
  return OPTION_LIST.filter((e) => e.spec.sources.includes('cli'));
}

function buildOptions(): ParseArgsOptions {
  const options: ParseArgsOptions = {};
  for (const { name, spec } of cliEntries()) {
    const type = spec.kind === 'boolean' ? 'boolean' : 'string';
    for (const n of [name, ...(spec.aliases ?? [])]) {
      options[n] = { type };
      if (type === 'boolean') options[`no-${n}`] = { type: 'boolean' };
    }
    if (spec.short) options[name] = { type, short: spec.short };
  }
  // uWSGI keys tsgi ignores with a warning: parsed with their value, so it is not taken as APP.
  for (const name of Object.keys({ ...PYTHON_ONLY_KEYS, ...BUILT_IN_UWSGI_KEYS })) {
    options[name] = { type: FLAG_ONLY_IGNORED_KEYS.has(name) ? 'boolean' : 'string' };
  }
  for (const [short, name] of Object.entries(PYTHON_ONLY_SHORTS)) {
    options[name] = { ...options[name]!, short };
  }
  return options;
}

const SHORT_TO_NAME = new Map(
  cliEntries().flatMap((e) => (e.spec.short ? [[e.spec.short, e.name] as const] : [])),
);

/**
 * An option that may be given without a value (`--chmod-socket` alone means 666) gets its bare
 * value written in when the next argument is not a valid value, so parseArgs does not take the
 * APP as the mode.
 */
function fillBareValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = arg.startsWith('--') ? arg.slice(2) : SHORT_TO_NAME.get(arg.slice(1));
    const entry = arg.startsWith('-') && !arg.includes('=') && name ? findOption(name) : undefined;
    const bare = entry && entry.spec.kind !== 'boolean' ? entry.spec.bareValue : undefined;
    if (bare !== undefined && entry) {
      const next = argv[i + 1];
      if (next === undefined || !isValid(entry.spec.parse, next)) {
        out.push(`--${entry.name}=${bare}`);
        continue;
      }
    }
    out.push(arg);
  }
  return out;
}

function isValid(parse: (raw: string) => unknown, raw: string): boolean {
  try {
    parse(raw);
    return true;
  } catch {
    return false;
  }
}

export function parseCli(argv: readonly string[]): CliParse {
  const { tokens } = parseArgs({
    args: fillBareValues(argv),
    options: buildOptions(),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const settings: RawSetting[] = [];
  const positionals: string[] = [];
  const errors: TsgiError[] = [];
  let skipNextPositional = false;
  let afterTerminator = false;

  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      afterTerminator = true;
      continue;
    }
    if (token.kind === 'positional') {
      if (skipNextPositional && !afterTerminator) {
        skipNextPositional = false;
        continue;
      }
      const configFile = /\.(ini|json)(:[^/\\]*)?$/i.exec(token.value);
      if (configFile && !afterTerminator) {
        const name = configFile[1]!.toLowerCase();
        settings.push({ name, value: token.value, origin: { kind: 'cli', flag: token.value } });
      } else positionals.push(token.value);
      continue;
    }
    skipNextPositional = false;
    const origin: Origin = { kind: 'cli', flag: token.rawName };
    const negated =
      token.name.startsWith('no-') && findOption(token.name.slice(3))?.spec.kind === 'boolean';
    const name = negated ? token.name.slice(3) : token.name;
    const found = lookupOption(name, origin);
    if ('ignored' in found) {
      // Reported (or refused under strict) by the resolver, with every other source.
      settings.push({ name, value: token.value ?? null, origin });
      continue;
    }
    if ('error' in found) {
      errors.push(found.error);
      // An unknown flag probably had a value: do not report it again as an extra APP.
      skipNextPositional = token.value === undefined;
      continue;
    }
    const { spec } = found.entry;
    if (spec.kind === 'boolean') {
      if (negated && token.value !== undefined) {
        errors.push(configError('ERR_CONFIG_INVALID_VALUE', `${token.rawName} takes no value`));
      } else {
        const value = negated ? 'false' : (token.value ?? null);
        settings.push({ name, value, origin });
      }
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && /^-./.test(token.value))) {
      errors.push(
        configError(
          'ERR_CONFIG_MISSING_VALUE',
          `${token.rawName} needs ${spec.meta} (e.g. ${token.rawName} VALUE)`,
        ),
      );
      continue;
    }
    settings.push({ name, value: token.value, origin });
  }
  return { settings, positionals, errors };
}
