/**
 * INI text → the `key = value` lines of one section, with uWSGI's rules: `#` and `;` start a
 * comment only at the start of a line (so `harakiri = 30 ; note` has the value `30 ; note`, as in
 * uWSGI); the value is everything after the first `=`, trimmed; a bare `key` (or `key =`) has no
 * value; a section may appear several times and its parts are read in order. Pure: no I/O.
 */
import { configError } from './errors.js';

export interface IniLine {
  readonly name: string;
  /** null for a bare key or an empty value. */
  readonly value: string | null;
  readonly line: number;
}

export interface IniSelection {
  readonly section: string;
  readonly lines: readonly IniLine[];
}

/** Section used when none is named: [tsgi] if the file has one, else [uwsgi]. */
export const DEFAULT_SECTIONS = ['tsgi', 'uwsgi'] as const;

export function parseIni(text: string, path: string, section?: string): IniSelection {
  const sections = new Map<string, IniLine[]>();
  let current: IniLine[] | undefined;
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  rows.forEach((row, index) => {
    const line = index + 1;
    const trimmed = row.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    if (trimmed.startsWith('[')) {
      const m = /^\[([^\]]*)\]$/.exec(trimmed);
      if (!m || m[1]!.trim() === '') {
        throw configError(
          'ERR_CONFIG_INI_SYNTAX',
          `${path}:${line}: expected [section], got '${trimmed}'`,
        );
      }
      const name = m[1]!.trim();
      current = sections.get(name) ?? [];
      sections.set(name, current);
      return;
    }
    const eq = trimmed.indexOf('=');
    const name = (eq === -1 ? trimmed : trimmed.slice(0, eq)).trim();
    const value = eq === -1 ? '' : trimmed.slice(eq + 1).trim();
    if (name === '') {
      throw configError(
        'ERR_CONFIG_INI_SYNTAX',
        `${path}:${line}: a line starts with '=' (no key)`,
      );
    }
    if (!current) {
      throw configError(
        'ERR_CONFIG_INI_SYNTAX',
        `${path}:${line}: '${name}' comes before any [section] header (add [tsgi] above it)`,
      );
    }
    current.push({ name, value: value === '' ? null : value, line });
  });

  const chosen = section ?? DEFAULT_SECTIONS.find((s) => sections.has(s));
  const lines = chosen === undefined ? undefined : sections.get(chosen);
  if (chosen === undefined || !lines) {
    const wanted = section === undefined ? '[tsgi] or [uwsgi]' : `[${section}]`;
    const found = [...sections.keys()].map((s) => `[${s}]`).join(', ') || 'none';
    throw configError(
      'ERR_CONFIG_SECTION_NOT_FOUND',
      `${path} has no ${wanted} section (found: ${found})`,
    );
  }
  return { section: chosen, lines };
}
