/**
 * INI text → the `key = value` lines of one section, with uWSGI's rules: `#` and `;` start a
 * comment at the start of a line; the value is everything after the first `=`, trimmed; a bare
 * `key` (or `key =`) has no value; a section may appear several times and its parts are read in
 * order. In a [uwsgi] section a ` #` or ` ;` after a value ends it (uWSGI keeps the text, but its
 * number and flag parsing reads past it, so such files work there); the lines are returned for one
 * warning. A [tsgi] section stays strict: the text is part of the value. Pure: no I/O.
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
  /** Lines of the chosen section whose value lost a trailing ` #`/` ;` comment. */
  readonly commentLines: readonly number[];
}

/** Sections where a trailing comment ends the value, as uWSGI's parsers effectively read it. */
const LENIENT_SECTIONS = new Set(['uwsgi']);

/** `2 # workers` → `2`; null when there is no trailing comment. */
export function stripTrailingComment(value: string): string | null {
  const m = /\s[#;]/.exec(value);
  return m ? value.slice(0, m.index).trimEnd() : null;
}

/** Section used when none is named: [tsgi] if the file has one, else [uwsgi]. */
export const DEFAULT_SECTIONS = ['tsgi', 'uwsgi'] as const;

export function parseIni(text: string, path: string, section?: string): IniSelection {
  const sections = new Map<string, IniLine[]>();
  const comments = new Map<string, number[]>();
  let current: IniLine[] | undefined;
  let currentName = '';
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
      currentName = name;
      return;
    }
    const eq = trimmed.indexOf('=');
    const name = (eq === -1 ? trimmed : trimmed.slice(0, eq)).trim();
    let value = eq === -1 ? '' : trimmed.slice(eq + 1).trim();
    const stripped = LENIENT_SECTIONS.has(currentName) ? stripTrailingComment(value) : null;
    if (stripped !== null) {
      value = stripped;
      comments.set(currentName, [...(comments.get(currentName) ?? []), line]);
    }
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
  return { section: chosen, lines, commentLines: comments.get(chosen) ?? [] };
}
