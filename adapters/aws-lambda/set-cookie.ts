/**
 * Several Set-Cookie in a single-value header map (ALB without multi-value headers, VPC Lattice).
 * Joining them with commas corrupts them (Expires dates hold commas), so by default each cookie goes
 * under its own spelling of the name: `set-cookie`, `Set-cookie`, `sEt-cookie`, … ALB forwards names
 * as given and clients compare them case-insensitively (the trick Mangum uses).
 */
import type { SingleValueCookies } from './types.js';

const NAME = 'set-cookie';
const LETTERS = [0, 1, 2, 4, 5, 6, 7, 8, 9]; // positions of letters in NAME (not the dash)
export const MAX_CASE_VARIANTS = 1 << LETTERS.length; // 512

/** The i-th spelling: bit k of i upper-cases the k-th letter. */
export function caseVariant(i: number): string {
  const chars = NAME.split('');
  for (let k = 0; k < LETTERS.length; k++) {
    if (i & (1 << k)) {
      const at = LETTERS[k]!;
      chars[at] = chars[at]!.toUpperCase();
    }
  }
  return chars.join('');
}

/**
 * Adds the cookies to `headers` by the chosen strategy; returns how many were dropped so the caller
 * can log it.
 */
export function addSingleValueCookies(
  headers: Record<string, string>,
  cookies: readonly string[],
  strategy: SingleValueCookies,
): number {
  if (cookies.length === 0) return 0;
  if (strategy === 'first') {
    headers[NAME] = cookies[0]!;
    return cookies.length - 1;
  }
  if (strategy === 'last') {
    headers[NAME] = cookies[cookies.length - 1]!;
    return cookies.length - 1;
  }
  const n = Math.min(cookies.length, MAX_CASE_VARIANTS);
  for (let i = 0; i < n; i++) headers[caseVariant(i)] = cookies[i]!;
  return cookies.length - n;
}
