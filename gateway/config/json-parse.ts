/**
 * JSON text → option values, like uWSGI's json loader: an object under "tsgi", else "uwsgi",
 * else the top level (or under a key named with `--json file.json:key`); arrays repeat a list
 * option; numbers and booleans become their text and go through the same parsers as every other
 * source. Unlike uWSGI, nested objects, nulls and arrays for single-valued options are errors,
 * not silently dropped. Pure: no I/O.
 */
import { configError } from './errors.js';
import { findOption } from './options.js';

export interface JsonValue {
  readonly name: string;
  readonly value: string;
  /** Where in the document, for messages: `uwsgi.harakiri`. */
  readonly key: string;
}

export interface JsonSelection {
  readonly key: string | null;
  readonly values: readonly JsonValue[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function scalar(v: unknown, path: string, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const what = v === null ? 'null' : Array.isArray(v) ? 'a nested array' : 'an object';
  throw configError(
    'ERR_CONFIG_JSON_SHAPE',
    `${path}: "${where}" is ${what}; expected a string, number or boolean`,
  );
}

export function parseJson(text: string, path: string, key?: string): JsonSelection {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw configError('ERR_CONFIG_JSON_SYNTAX', `${path}: ${(error as Error).message}`, error);
  }
  if (!isObject(doc)) {
    throw configError(
      'ERR_CONFIG_JSON_SHAPE',
      `${path}: the document must be an object of options`,
    );
  }
  let chosen: string | null;
  if (key !== undefined) {
    if (!isObject(doc[key])) {
      throw configError('ERR_CONFIG_SECTION_NOT_FOUND', `${path} has no object under "${key}"`);
    }
    chosen = key;
  } else {
    chosen = ['tsgi', 'uwsgi'].find((k) => isObject(doc[k])) ?? null;
  }
  const options = chosen === null ? doc : (doc[chosen] as Record<string, unknown>);
  const prefix = chosen === null ? '' : `${chosen}.`;
  const values: JsonValue[] = [];
  for (const [name, raw] of Object.entries(options)) {
    const where = `${prefix}${name}`;
    if (!Array.isArray(raw)) {
      values.push({ name, value: scalar(raw, path, where), key: where });
      continue;
    }
    const entry = findOption(name);
    if (entry && !entry.spec.multiple) {
      throw configError(
        'ERR_CONFIG_NOT_A_LIST',
        `${path}: "${where}" is an array, but ${entry.name} takes one value`,
      );
    }
    raw.forEach((item, i) => {
      values.push({ name, value: scalar(item, path, `${where}[${i}]`), key: where });
    });
  }
  return { key: chosen, values };
}
