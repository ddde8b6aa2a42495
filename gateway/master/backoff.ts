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
  // 0 or 1 failure in a row: respawn at once.
  if (consecutiveFailures <= 1) return 0;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (consecutiveFailures - 2));
}

/** Signals someone else sends (kill, systemd, an operator): not the worker's own crash. */
const EXTERNAL_SIGNALS = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']);

export interface Death {
  /** The worker had reported ready (it loaded the app and accepted). */
  wasReady: boolean;
  /** ms between ready and death (0 when it never was). */
  livedMs: number;
  signal: string | null;
}

/**
 * The failure count after a worker died. A crash loop is a worker that cannot start, or that
 * brings itself down (an exception, SIGSEGV, SIGABRT) soon after it started; a ready worker
 * killed from outside (kill -9, OOM killer's SIGKILL) is replaced at once and resets the count.
 */
export function nextFailureCount(current: number, death: Death): number {
  if (death.wasReady && death.signal !== null && EXTERNAL_SIGNALS.has(death.signal)) return 0;
  if (!death.wasReady || death.livedMs < HEALTHY_AFTER_MS) return current + 1;
  return 1;
}
