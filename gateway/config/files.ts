/**
 * Reads the config files named by --ini/--json (and the `ini =`/`json =` lines inside them,
 * expanded in place, as uWSGI does), applies the substitutions of expand.ts and returns the
 * settings of the whole file layer in order. The only I/O of the loader is here: reading the
 * named files.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TsgiError } from '../../src/errors.js';
import { configError } from './errors.js';
import {
  expandMagicAndEnv,
  expandPlaceholders,
  type FileFacts,
  type HostFacts,
  magicVariables,
} from './expand.js';
import { parseIni } from './ini-parse.js';
import { parseJson } from './json-parse.js';
import { findOption } from './options.js';
import { describeOrigin, type Origin, type RawSetting } from './origin.js';

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

export function loadConfigFiles(requests: readonly FileRequest[], ctx: FileContext): FileLayer {
  const lines: Line[] = [];
  const files: string[] = [];
  const errors: TsgiError[] = [];
  const placeholders = new Map<string, string>();

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
      text = readFileSync(absolute, 'utf8');
    } catch (error) {
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
    const raw: Line[] =
      request.kind === 'ini'
        ? parseIni(text, path, section).lines.map((l) => ({
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
      if (line.name === 'ini' || line.name === 'json') {
        if (value === null) {
          errors.push(
            configError('ERR_CONFIG_MISSING_VALUE', `'${line.name}' in ${where} needs a file name`),
          );
        } else read({ kind: line.name, spec: value, origin: line.origin }, [...stack, absolute]);
        continue;
      }
      if (PLACEHOLDER_KEYS.has(line.name)) {
        const eq = value?.indexOf('=') ?? -1;
        if (value === null || eq <= 0) {
          errors.push(
            configError(
              'ERR_CONFIG_INVALID_VALUE',
              `'${line.name}' in ${where}: expected name=value`,
            ),
          );
        } else {
          const name = value.slice(0, eq).trim();
          if (!placeholders.has(name)) placeholders.set(name, value.slice(eq + 1).trim());
        }
        continue;
      }
      lines.push({ name: line.name, value, origin: line.origin });
      // %(name) is the first occurrence of the key, under any of its spellings.
      const entry = findOption(line.name);
      const names = entry ? [line.name, entry.name, ...(entry.spec.aliases ?? [])] : [line.name];
      for (const n of names) if (!placeholders.has(n)) placeholders.set(n, value ?? 'true');
    }
  };

  for (const request of requests) read(request, []);

  const settings: RawSetting[] = [];
  for (const line of lines) {
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
  return { settings, files, errors };
}
