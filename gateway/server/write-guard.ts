/**
 * socket-timeout on writes a connection has finished issuing: a client that stops reading must
 * not keep a whole response (megabytes) in memory. Armed only when bytes are still queued after
 * the last write, which the usual small response never is.
 */
import type { Socket } from 'node:net';
import { gatewayError } from '../errors.js';
import type { Logger } from '../logging/logger.js';

import { unsentBytes as queued } from './node-internals.js';

const GUARDED = Symbol('tsgi.writeGuard');
type Guarded = Socket & { [GUARDED]?: boolean };

/**
 * Below this many queued bytes after a response's last write, no guard: node:http corks every
 * response until the next tick, so a small one is always "queued" here, and a timer per request
 * would cost more than the bytes it could free (measured: +6 µs CPU per request).
 */
export const GUARD_MIN_BYTES = 64 * 1024;

/**
 * Destroys the socket when its queued bytes make no progress for `ms` (the peer stopped
 * reading); stops watching once they are all written or the socket closed. `minBytes`: see
 * GUARD_MIN_BYTES (0 where the writer already waits for 'drain').
 */
export function guardWrites(
  socket: Socket,
  ms: number,
  limit: string,
  log: Logger,
  minBytes = GUARD_MIN_BYTES,
): void {
  const s = socket as Guarded;
  if (s[GUARDED] || s.destroyed) return;
  const pending = queued(s);
  if (pending === 0 || pending < minBytes) return;
  s[GUARDED] = true;
  let last = queued(s);
  const timer = setInterval(() => {
    const now = queued(s);
    if (s.destroyed || now === 0) {
      clearInterval(timer);
      s[GUARDED] = false;
      return;
    }
    if (now >= last) {
      clearInterval(timer);
      log.warn(gatewayError('ERR_GATEWAY_WRITE_TIMEOUT', `${now} bytes unread, ${limit}`).message);
      s.destroy();
      return;
    }
    last = now;
  }, ms);
  timer.unref();
  // Without this the timer keeps a closed socket (and what it references) alive until its next
  // tick, socket-timeout later: thousands of them under load, all garbage the collector must walk.
  s.once('close', () => {
    clearInterval(timer);
    s[GUARDED] = false;
  });
}
