/**
 * socket-timeout on writes a connection has finished issuing: a client that stops reading must
 * not keep a whole response (megabytes) in memory. Armed only when bytes are still queued after
 * the last write, which the usual small response never is.
 */
import type { Socket } from 'node:net';
import { limitMessage } from '../limits.js';
import type { Logger } from '../logging/logger.js';

import { handedBytes, unsentBytes as queued } from './node-internals.js';

const GUARDED = Symbol('tsgi.writeGuard');
type Guarded = Socket & { [GUARDED]?: boolean };

/**
 * Below this many queued bytes after a response's last write, no guard: node:http corks every
 * response until the next tick, so a small one is always "queued" here, and a timer per request
 * would cost more than the bytes it could free (measured: +6 µs CPU per request).
 */
export const GUARD_MIN_BYTES = 64 * 1024;

/**
 * Destroys the socket when no byte reaches the kernel for socket-timeout (the peer stopped reading), as
 * nginx's send_timeout: a limit between two writes that progress, not on the whole response, so
 * a slow but steady reader gets everything. Progress is counted in bytes handed to the kernel,
 * not by the queue's size, which grows again when the next chunk is written after a drain.
 * Stops watching once everything is written or the socket closed. `minBytes`: see
 * GUARD_MIN_BYTES (0 where the writer already waits for 'drain').
 */
export function guardWrites(
  socket: Socket,
  /** socket-timeout, in seconds and in ms. */
  timeout: { readonly socketTimeout: number; readonly socketTimeoutMs: number },
  log: Logger,
  minBytes = GUARD_MIN_BYTES,
): void {
  const s = socket as Guarded;
  if (s[GUARDED] || s.destroyed) return;
  const pending = queued(s);
  if (pending === 0 || pending < minBytes) return;
  s[GUARDED] = true;
  let last = handedBytes(s);
  const timer = setInterval(() => {
    const unsent = queued(s);
    if (s.destroyed || unsent === 0) {
      clearInterval(timer);
      s[GUARDED] = false;
      return;
    }
    const handed = handedBytes(s);
    if (handed <= last) {
      clearInterval(timer);
      log.warn(limitMessage('writeTimeout', timeout.socketTimeout, `${unsent} bytes unread`));
      s.destroy();
      return;
    }
    last = handed;
  }, timeout.socketTimeoutMs);
  timer.unref();
  // Without this the timer keeps a closed socket (and what it references) alive until its next
  // tick, socket-timeout later: thousands of them under load, all garbage the collector must walk.
  s.once('close', () => {
    clearInterval(timer);
    s[GUARDED] = false;
  });
}
