/**
 * The accept drain of a graceful stop. The master removes its unix socket files first, so no new
 * connection can enter the listen queue; the connections already in it were opened by nginx and
 * may carry a POST it will not retry. So the worker keeps accepting until it has accepted nothing
 * for ACCEPT_QUIET_MS (the queue is empty), at most ACCEPT_DRAIN_MAX_MS, and only then closes its
 * listeners. Without the drain those queued connections are reset when the socket closes.
 */
import type { Server } from 'node:net';
import { acceptHooks, probeFastTransport } from '../server/node-internals.js';

/** No accept for this long: the queue is empty (accepts of a queued backlog come < 1 ms apart). */
export const ACCEPT_QUIET_MS = 150;
/** Upper bound of the drain: a TCP listener cannot refuse new connections, so it may never go quiet. */
export const ACCEPT_DRAIN_MAX_MS = 1000;

export interface AcceptWatch {
  /** performance.now() of the newest accept on any listener (0: none yet). */
  lastAccept(): number;
  /** Connections accepted so far, on every listener. */
  accepted(): number;
}

/**
 * Records every accept at the libuv listen handle: the uwsgi fast path serves connections on their
 * handle and never emits 'connection', so the handle's callback is the one place that sees all.
 */
export function watchAccepts(servers: readonly Server[]): AcceptWatch {
  let last = 0;
  let count = 0;
  const seen = () => {
    last = performance.now();
    count++;
  };
  for (const server of servers) {
    // With the fast transport on, connections it serves never emit 'connection'.
    const hooks = probeFastTransport().on ? acceptHooks(server) : undefined;
    if (hooks) hooks.observers.push(seen);
    else server.on('connection', seen);
  }
  return { lastAccept: () => last, accepted: () => count };
}

/**
 * Resolves once no connection was accepted for `quietMs` (counted from the call at the earliest),
 * or after `maxMs`. Each check runs after a setImmediate: a loop that was busy processes the
 * pending accepts (poll phase) before the check phase, so a late timer never hides a backlog.
 */
export function acceptDrain(
  watch: AcceptWatch,
  quietMs = ACCEPT_QUIET_MS,
  maxMs = ACCEPT_DRAIN_MAX_MS,
): Promise<void> {
  const start = performance.now();
  return new Promise((resolve) => {
    const check = () => {
      setImmediate(() => {
        const now = performance.now();
        const since = Math.max(start, watch.lastAccept());
        if (now - since >= quietMs || now - start >= maxMs) {
          resolve();
          return;
        }
        setTimeout(check, Math.min(quietMs - (now - since), maxMs - (now - start)) + 1);
      });
    };
    setTimeout(check, quietMs);
  });
}
