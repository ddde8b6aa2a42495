/**
 * When a worker retires itself (pure: the worker feeds it numbers on a timer and after each
 * request). max-requests and reload-on-* wait for min-worker-lifetime; max-worker-lifetime does not.
 */

export interface RecycleLimits {
  /** 0 = off. Already includes this worker's share of max-requests-delta. */
  maxRequests: number;
  /** Seconds; 0 = off. */
  maxWorkerLifetime: number;
  /** Seconds. */
  minWorkerLifetime: number;
  /** Megabytes; 0 = off. */
  reloadOnRss: number;
  reloadOnAs: number;
}

export interface RecycleState {
  requests: number;
  /** Seconds since the worker started. */
  age: number;
  /** Bytes. */
  rss: number;
  vsz: number;
}

const MB = 1024 * 1024;

/** Why the worker should retire now, or null. */
export function recycleReason(limits: RecycleLimits, state: RecycleState): string | null {
  if (limits.maxWorkerLifetime > 0 && state.age >= limits.maxWorkerLifetime) {
    return `max-worker-lifetime ${limits.maxWorkerLifetime} s reached`;
  }
  if (state.age < limits.minWorkerLifetime) return null;
  if (limits.maxRequests > 0 && state.requests >= limits.maxRequests) {
    return `max-requests ${limits.maxRequests} reached`;
  }
  if (limits.reloadOnRss > 0 && state.rss > limits.reloadOnRss * MB) {
    return `rss ${Math.round(state.rss / MB)} MB over reload-on-rss ${limits.reloadOnRss} MB`;
  }
  if (limits.reloadOnAs > 0 && state.vsz > limits.reloadOnAs * MB) {
    return `address space ${Math.round(state.vsz / MB)} MB over reload-on-as ${limits.reloadOnAs} MB`;
  }
  return null;
}

/** max-requests plus a random 0..delta, so workers started together do not recycle together. */
export function jitteredMaxRequests(
  maxRequests: number,
  delta: number,
  random = Math.random,
): number {
  if (maxRequests <= 0) return 0;
  return maxRequests + (delta > 0 ? Math.floor(random() * (delta + 1)) : 0);
}
