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
 * Destroys the socket when its queued bytes make no progress for `ms` (the peer stopped
 * reading); stops watching once they are all written or the socket closed.
 */
export function guardWrites(socket: Socket, ms: number, limit: string, log: Logger): void {
  const s = socket as Guarded;
  if (s[GUARDED] || s.destroyed || queued(s) === 0) return;
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
}
