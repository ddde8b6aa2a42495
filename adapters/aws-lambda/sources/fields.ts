/** Typed reads of untrusted event fields; a wrong type is a malformed event (400). */
import { lambdaError } from '../errors.js';
import type { HeaderMap } from '../request.js';
import { isObject } from '../text.js';

export function requiredString(obj: Record<string, unknown>, key: string, where = ''): string {
  const value = obj[key];
  if (typeof value !== 'string' || value === '') {
    throw lambdaError('ERR_LAMBDA_EVENT_INVALID', `${where}${key} must be a non-empty string`);
  }
  return value;
}

export function optionalString(obj: unknown, key: string): string | undefined {
  if (!isObject(obj)) return undefined;
  const value = obj[key];
  return typeof value === 'string' ? value : undefined;
}

export function optionalMap(obj: Record<string, unknown>, key: string): HeaderMap | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || Array.isArray(value)) {
    throw lambdaError('ERR_LAMBDA_EVENT_INVALID', `${key} must be an object`);
  }
  return value as HeaderMap;
}

/**
 * A `multiValue*` map and its single-value twin, combined: AWS documents both as views of one
 * request, and an event may carry a name in only one of them (`multiValueHeaders: {}` next to a
 * full `headers`). A name in both takes the multi-value list, which holds every value.
 * Header names match case-insensitively, query keys exactly.
 */
export function combinedMap(
  event: Record<string, unknown>,
  multiKey: string,
  singleKey: string,
  caseless: boolean,
): HeaderMap | undefined {
  const multi = optionalMap(event, multiKey);
  const single = optionalMap(event, singleKey);
  if (!multi) return single;
  if (!single) return multi;
  const key = caseless ? (name: string) => name.toLowerCase() : (name: string) => name;
  const seen = new Set<string>();
  for (const name in multi) seen.add(key(name));
  let out: HeaderMap | undefined;
  for (const name in single) {
    if (seen.has(key(name))) continue;
    out ??= { ...multi };
    out[name] = single[name];
  }
  return out ?? multi;
}

export function optionalBody(obj: Record<string, unknown>, key = 'body'): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw lambdaError('ERR_LAMBDA_EVENT_INVALID', `${key} must be a string or null`);
  }
  return value;
}

export function optionalStringArray(
  obj: Record<string, unknown>,
  key: string,
): string[] | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw lambdaError('ERR_LAMBDA_EVENT_INVALID', `${key} must be an array of strings`);
  }
  return value as string[];
}

/** HTTP methods are tokens; anything else would be a malformed request line. */
export function method(value: string, where: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value)) {
    throw lambdaError('ERR_LAMBDA_EVENT_INVALID', `${where} is not an HTTP method token`);
  }
  return value;
}

export function absolutePath(value: string, where: string): string {
  if (value[0] !== '/') throw lambdaError('ERR_LAMBDA_EVENT_INVALID', `${where} must start with /`);
  return value;
}
