/**
 * Crash-loop protection: a worker that dies soon after it started counts as a failure; each one
 * in a row doubles the delay before the next spawn (0 for the first, so one kill -9 is repaired
 * at once), up to a cap. A worker that lived long enough resets the count. uWSGI instead sleeps
 * the whole master for 2 s and never gives up.
 */

export const HEALTHY_AFTER_MS = 5_000;
export const BACKOFF_BASE_MS = 200;
export const BACKOFF_MAX_MS = 30_000;

export function respawnDelay(consecutiveFailures: number): number {
  if (consecutiveFailures <= 1) return 0;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (consecutiveFailures - 2));
}

/** The failure count after a worker died having lived `livedMs`. */
export function nextFailureCount(current: number, livedMs: number): number {
  return livedMs < HEALTHY_AFTER_MS ? current + 1 : 1;
}
