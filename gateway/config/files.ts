/**
 * Reads the config files named by --ini/--json (and the `ini =`/`json =` lines inside them,
 * expanded in place, as uWSGI does), applies the substitutions of expand.ts and returns the
 * settings of the whole file layer in order. A key that is not an option but is referenced as
 * `%(key)` anywhere in the files is a placeholder, not a setting (uWSGI lets any key be one); an
 * unreferenced unknown key stays a setting, so the resolver names the nearest option. The only
 * I/O of the loader is here: reading the named files.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TsgiError } from '../../src/errors.js';
import { configError } from './errors.js';
import {
  expandMagicAndEnv,
  expandPlaceholders,
  type FileFacts,
  type HostFacts,
  magicVariables,
  placeholderNames,
} from './expand.js';
import { parseIni } from './ini-parse.js';
import { parseJson } from './json-parse.js';
import { findOption } from './options.js';
import { describeOrigin, type Origin, type RawSetting } from './origin.js';
import { PYTHON_ALIASES } from './uwsgi-keys.js';

/** A config file is text an operator wrote: anything larger is a mistake (`--ini /dev/zero`). */
const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** Reads at most MAX_CONFIG_FILE_BYTES (a pipe or a device has no size to check first). */
function readBounded(absolute: string, shown: string): string {
  const fd = openSync(absolute, 'r');
  try {
    const buffer = Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_CONFIG_FILE_BYTES) {
        throw configError('ERR_CONFIG_FILE_READ', `${shown} is over 1 MiB: not a config file`);
      }
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

export type FileKind = 'ini' | 'json';

export interface FileRequest {
  readonly kind: FileKind;
  /** `path[:section]` for ini, `path[:key]` for json. */
  readonly spec: string;
  /** Who asked for the file (a flag, or an `ini =` line of another file). */
  readonly origin: Origin;
}

export interface FileLayer {
  readonly settings: readonly RawSetting[];
  /** Absolute paths of the files read, in order. */
  readonly files: readonly string[];
  readonly errors: readonly TsgiError[];
  /** Trailing comments cut from [uwsgi] values: one per file (errors under `strict`). */
  readonly warnings: readonly TsgiError[];
  /** Keys that are not options, kept as placeholders because something refers to them. */
  readonly customPlaceholders: readonly RawSetting[];
}

export interface FileContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly host: HostFacts;
}

const PLACEHOLDER_KEYS = new Set(['set-placeholder', 'set-ph']);

/** `uwsgi.ini:app1` → path and section; a suffix with a slash is part of the path. */
export function splitFileSpec(spec: string): { path: string; section: string | undefined } {
  const i = spec.lastIndexOf(':');
  if (i < 0 || /[\\/]/.test(spec.slice(i + 1))) return { path: spec, section: undefined };
  const section = spec.slice(i + 1);
  return { path: spec.slice(0, i), section: section === '' ? undefined : section };
}

interface Line {
  readonly name: string;
  readonly value: string | null;
  readonly origin: Origin;
}

const isFileKind = (name: string): name is FileKind => name === 'ini' || name === 'json';

/** A key of a file or flag is a placeholder under its own name and every spelling of its option. */
function spellings(name: string): string[] {
  const entry = findOption(name);
  return entry ? [name, entry.name, ...(entry.spec.aliases ?? [])] : [name];
}

/**
 * `sources` are the TSGI_* settings then the command line's, in order; each `ini`/`json` among
 * them is read where it stands, so `%(name)` finds the first occurrence in uWSGI's order.
 */
export function loadConfigFiles(sources: readonly RawSetting[], ctx: FileContext): FileLayer {
  const lines: Line[] = [];
  const files: string[] = [];
  const errors: TsgiError[] = [];
  const warnings: TsgiError[] = [];
  const placeholders = new Map<string, string>();
  const define = (names: readonly string[], value: string): void => {
    for (const n of names) if (!placeholders.has(n)) placeholders.set(n, value);
  };
  /** `set-placeholder = name=value` (uWSGI's way to declare one explicitly). */
  const setPlaceholder = (key: string, value: string | null, where: string | null): void => {
    const eq = value?.indexOf('=') ?? -1;
    if (value !== null && eq > 0) define([value.slice(0, eq).trim()], value.slice(eq + 1).trim());
    // A file line is reported here; a flag or variable by the resolver, with the other options.
    else if (where !== null) {
      errors.push(
        configError('ERR_CONFIG_INVALID_VALUE', `'${key}' in ${where}: expected NAME=VALUE`),
      );
    }
  };

  const read = (request: FileRequest, stack: readonly string[]): void => {
    const { path, section } = splitFileSpec(request.spec);
    if (path === '') {
      const where = describeOrigin(request.origin);
      const why = "uWSGI's ':section of the last file' form is not supported";
      throw configError(
        'ERR_CONFIG_FILE_READ',
        `'${request.spec}' from ${where} names no file (${why})`,
      );
    }
    const absolute = resolve(ctx.cwd, path);
    if (stack.includes(absolute)) {
      throw configError('ERR_CONFIG_INCLUDE_LOOP', [...stack, absolute].join(' → '));
    }
    let text: string;
    try {
      text = readBounded(absolute, path);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_CONFIG_FILE_READ') throw error;
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw configError(
        'ERR_CONFIG_FILE_READ',
        `${path} (${reason}), named by ${describeOrigin(request.origin)}`,
        error,
      );
    }
    files.push(absolute);
    const facts: FileFacts = { given: path, absolute, section: section ?? null, cwd: ctx.cwd };
    const magic = magicVariables(facts, ctx.host);
    const ini = request.kind === 'ini' ? parseIni(text, path, section) : undefined;
    if (ini && ini.commentLines.length > 0) {
      const which = ini.commentLines.length === 1 ? 'line' : 'lines';
      warnings.push(
        configError(
          'ERR_CONFIG_INLINE_COMMENT',
          `${path} ${which} ${ini.commentLines.join(', ')}: the text from ' #' or ' ;' on was read as a comment (put comments on their own line)`,
        ),
      );
    }
    const raw: Line[] = ini
      ? ini.lines.map((l) => ({
          name: l.name,
          value: l.value,
          origin: { kind: 'ini', path, line: l.line },
        }))
      : parseJson(text, path, section).values.map((v) => ({
          name: v.name,
          value: v.value,
          origin: { kind: 'json', path, key: v.key },
        }));
    for (const line of raw) {
      const where = describeOrigin(line.origin);
      const value =
        line.value === null ? null : expandMagicAndEnv(line.value, magic, ctx.env, where);
      if (isFileKind(line.name)) {
        if (value === null) {
          errors.push(
            configError('ERR_CONFIG_MISSING_VALUE', `'${line.name}' in ${where} needs a file name`),
          );
        } else read({ kind: line.name, spec: value, origin: line.origin }, [...stack, absolute]);
        continue;
      }
      if (PLACEHOLDER_KEYS.has(line.name)) {
        setPlaceholder(line.name, value, where);
        continue;
      }
      lines.push({ name: line.name, value, origin: line.origin });
      define(spellings(line.name), value ?? 'true');
    }
  };

  for (const source of sources) {
    if (isFileKind(source.name) && source.value !== null) {
      read({ kind: source.name, spec: source.value, origin: source.origin }, []);
    } else if (PLACEHOLDER_KEYS.has(source.name)) {
      setPlaceholder(source.name, source.value, null);
    } else define(spellings(source.name), source.value ?? 'true');
  }

  const referenced = new Set(lines.flatMap((l) => (l.value ? placeholderNames(l.value) : [])));
  const isPlaceholder = (name: string) =>
    referenced.has(name) && !findOption(name) && PYTHON_ALIASES[name] === undefined;
  const customPlaceholders = lines.filter((l) => isPlaceholder(l.name));

  const settings: RawSetting[] = [];
  for (const line of lines) {
    if (isPlaceholder(line.name)) continue;
    if (line.value === null) {
      settings.push(line);
      continue;
    }
    try {
      const value = expandPlaceholders(
        line.value,
        (n) => placeholders.get(n),
        describeOrigin(line.origin),
      );
      settings.push({ ...line, value });
    } catch (error) {
      errors.push(error as TsgiError);
    }
  }
  return { settings, files, errors, warnings, customPlaceholders };
}
