/** A resolved value as text, the way it would be written in a config file. */
import { formatMode, type OptionSpec } from './option-types.js';

/** One string per value; a list gives one per item, unset (null) gives none. */
export function formatValues(spec: OptionSpec<unknown>, value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map(String);
  if (spec.kind === 'mode') return [formatMode(value as number)];
  return [String(value)];
}

/** For docs and help: `65535`, `false`, `(none)`, `(empty list)`. */
export function formatDefault(spec: OptionSpec<unknown>): string {
  const values = formatValues(spec, spec.default);
  if (values.length > 0) return values.join(', ');
  return spec.multiple ? '(none)' : '(not set)';
}
