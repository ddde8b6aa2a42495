/**
 * The shape of one option-table entry and the typed builders that make them. Each builder fixes
 * the value parser, so CLI flags, TSGI_* variables and config files are validated by the same
 * function (gunicorn's single `validator`).
 */

export type OptionKind =
  | 'string'
  | 'int'
  | 'seconds'
  | 'bytes'
  | 'megabytes'
  | 'boolean'
  | 'list'
  | 'enum'
  | 'mode';

/** `hup`: a changed value takes effect on SIGHUP (workers are replaced); `restart`: needs a stop and start. */
export type ReloadBehaviour = 'hup' | 'restart' | 'none';

/** `planned` options are known but rejected by the loader until the code that honours them lands. */
export type OptionStatus = 'ready' | 'planned';

export type SourceKind = 'cli' | 'env' | 'file';

export type Section =
  | 'Application'
  | 'Sockets'
  | 'Requests'
  | 'Processes'
  | 'Reloading'
  | 'Recycling'
  | 'Cheaper (adaptive worker count)'
  | 'Monitoring'
  | 'Logging'
  | 'Daemon and identity'
  | 'Config files'
  | 'Actions';

export const SECTIONS: readonly Section[] = [
  'Application',
  'Sockets',
  'Requests',
  'Processes',
  'Reloading',
  'Recycling',
  'Cheaper (adaptive worker count)',
  'Monitoring',
  'Logging',
  'Daemon and identity',
  'Config files',
  'Actions',
];

/** The descriptive part of an entry, written by hand in options.ts. */
export interface OptionInfo {
  readonly short?: string;
  readonly section: Section;
  /** One line; `--help` prints it. */
  readonly summary: string;
  readonly description?: string;
  /** uWSGI spellings accepted as the same option (`workers` for `processes`). */
  readonly aliases?: readonly string[];
  /** The uWSGI option this one replaces, or null when uWSGI has none. */
  readonly uwsgi: string | null;
  /** How tsgi differs from uWSGI here, or why there is no uWSGI equivalent. */
  readonly uwsgiNote?: string;
  readonly reload: ReloadBehaviour;
  /**
   * Any value other than the default starts the master, as uWSGI's UWSGI_OPT_MASTER flag does
   * (these options act in the master: supervision, limits, files it owns).
   */
  readonly impliesMaster?: boolean;
  readonly status?: OptionStatus;
  /** Where the option may be set (default: everywhere). */
  readonly sources?: readonly SourceKind[];
  /** Placeholder shown in --help (`ADDR`, `FILE`); derived from the kind when absent. */
  readonly meta?: string;
}

/** A complete entry: `V` is the type of the resolved value. */
export interface OptionSpec<V> extends OptionInfo {
  readonly kind: OptionKind;
  readonly default: V;
  /** Parses one raw value (one item for lists); throws a ValueError saying what was expected. */
  readonly parse: (raw: string) => unknown;
  readonly multiple: boolean;
  /** Value used when the key is given without one (`master` alone, `chmod-socket` alone). */
  readonly bareValue?: string;
  readonly choices?: readonly string[];
  readonly meta: string;
  readonly status: OptionStatus;
  readonly sources: readonly SourceKind[];
}

/** Thrown by value parsers; the loader wraps it with the option name and the source. */
export class ValueError extends Error {}

const ALL_SOURCES: readonly SourceKind[] = ['cli', 'env', 'file'];

function finish<V>(
  info: OptionInfo,
  rest: Omit<OptionSpec<V>, keyof OptionInfo | 'meta' | 'status' | 'sources'>,
  meta: string,
): OptionSpec<V> {
  return {
    ...info,
    ...rest,
    meta: info.meta ?? meta,
    status: info.status ?? 'ready',
    sources: info.sources ?? ALL_SOURCES,
  };
}

export function parseBoolean(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === 'yes' || v === 'on' || v === '1') return true;
  if (v === 'false' || v === 'no' || v === 'off' || v === '0') return false;
  throw new ValueError('expected true/false, yes/no, on/off or 1/0');
}

export function parseInteger(raw: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = raw.trim();
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min} to ${max}`;
  const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!(n >= min && n <= max)) throw new ValueError(`expected a whole number, ${range}`);
  return n;
}

export function parseSeconds(raw: string): number {
  const v = raw.trim();
  if (!/^\d+(\.\d+)?$/.test(v))
    throw new ValueError('expected a number of seconds, e.g. 30 or 0.5');
  return Number(v);
}

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export function parseBytes(raw: string, max = Number.MAX_SAFE_INTEGER): number {
  const m = /^(\d+)\s*([kmg]?)b?$/i.exec(raw.trim());
  if (!m)
    throw new ValueError('expected a number of bytes, optionally with k, m or g (×1024), e.g. 64k');
  const n = Number(m[1]) * BYTE_UNITS[m[2]!.toLowerCase()]!;
  if (n > max) throw new ValueError(`at most ${max} bytes`);
  return n;
}

export function parseMode(raw: string): number {
  const v = raw.trim();
  if (!/^0?[0-7]{3}$/.test(v)) throw new ValueError('expected an octal mode of 3 digits, e.g. 660');
  return Number.parseInt(v, 8);
}

export function parseText(raw: string): string {
  if (raw.trim() === '') throw new ValueError('expected a non-empty value');
  return raw;
}

export const formatMode = (mode: number): string => mode.toString(8).padStart(3, '0');

type Num = { readonly default?: number; readonly min?: number; readonly max?: number };

export function string(
  info: OptionInfo & {
    readonly default?: string | null;
    /** Throws a ValueError when the text is not valid for this option. */
    readonly check?: (value: string) => void;
  },
): OptionSpec<string | null> {
  const { default: def = null, check, ...rest } = info;
  const parse = check
    ? (raw: string) => {
        const value = parseText(raw);
        check(value);
        return value;
      }
    : parseText;
  return finish(rest, { kind: 'string', default: def, parse, multiple: false }, 'VALUE');
}

export function int(info: OptionInfo & Num & { readonly auto?: () => number }): OptionSpec<number> {
  const { default: def = 0, min = 0, max, auto, ...rest } = info;
  const parse = (raw: string) =>
    auto && raw.trim() === 'auto' ? auto() : parseInteger(raw, min, max);
  return finish(rest, { kind: 'int', default: def, parse, multiple: false }, auto ? 'N|auto' : 'N');
}

export function seconds(info: OptionInfo & { readonly default?: number }): OptionSpec<number> {
  const { default: def = 0, ...rest } = info;
  return finish(
    rest,
    { kind: 'seconds', default: def, parse: parseSeconds, multiple: false },
    'SECONDS',
  );
}

export function bytes(info: OptionInfo & Num): OptionSpec<number> {
  const { default: def = 0, max, ...rest } = info;
  const parse = (raw: string) => parseBytes(raw, max);
  return finish(rest, { kind: 'bytes', default: def, parse, multiple: false }, 'BYTES');
}

/** Megabytes, as uWSGI's reload-on-rss family counts them (plain whole numbers). */
export function megabytes(info: OptionInfo & { readonly default?: number }): OptionSpec<number> {
  const { default: def = 0, ...rest } = info;
  const parse = (raw: string) => parseInteger(raw);
  return finish(rest, { kind: 'megabytes', default: def, parse, multiple: false }, 'MB');
}

export function boolean(info: OptionInfo & { readonly default?: boolean }): OptionSpec<boolean> {
  const { default: def = false, ...rest } = info;
  return finish(
    rest,
    { kind: 'boolean', default: def, parse: parseBoolean, multiple: false, bareValue: 'true' },
    '',
  );
}

export function list(
  info: OptionInfo & { readonly item?: (raw: string) => string },
): OptionSpec<readonly string[]> {
  const { item = parseText, ...rest } = info;
  return finish(rest, { kind: 'list', default: [], parse: item, multiple: true }, 'VALUE');
}

export function intList(info: OptionInfo & Num): OptionSpec<readonly number[]> {
  const { min = 0, max, ...rest } = info;
  const parse = (raw: string) => parseInteger(raw, min, max);
  return finish(rest, { kind: 'list', default: [], parse, multiple: true }, 'N');
}

export function choice<const C extends string>(
  info: OptionInfo & { readonly choices: readonly C[]; readonly default: C },
): OptionSpec<C> {
  const { default: def, choices, ...rest } = info;
  const parse = (raw: string): C => {
    const v = raw.trim() as C;
    if (!choices.includes(v)) throw new ValueError(`expected one of: ${choices.join(', ')}`);
    return v;
  };
  return finish(
    rest,
    { kind: 'enum', default: def, parse, multiple: false, choices },
    choices.join('|'),
  );
}

/** A file mode in octal, like uWSGI's chmod-socket: alone it means 666. */
export function mode(info: OptionInfo): OptionSpec<number | null> {
  return finish(
    info,
    { kind: 'mode', default: null, parse: parseMode, multiple: false, bareValue: '666' },
    'MODE',
  );
}

/** The value type an entry resolves to. */
export type ValueOf<S> = S extends OptionSpec<infer V> ? V : never;
