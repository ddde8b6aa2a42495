/**
 * `tsgi.waitUntil` in a gateway process: one waitUntil per process (no allocation per request)
 * that keeps each promise until it settles. It never delays a response; a graceful stop (or a
 * recycling worker) waits for it up to shutdown-timeout and logs what it had to cut.
 */
import { backgroundFailure, PendingWork, type WaitUntil } from '../../src/index.js';
import type { Logger } from '../logging/logger.js';

export class BackgroundWork {
  readonly #work: PendingWork;
  readonly #log: Logger;
  /** Tasks handed over since the process started, and how many of them failed. */
  started = 0;
  failed = 0;
  readonly waitUntil: WaitUntil;

  constructor(log: Logger) {
    this.#log = log;
    this.#work = new PendingWork((error) => {
      this.failed++;
      log.error(backgroundFailure(error));
    });
    this.waitUntil = (promise) => {
      this.started++;
      this.#work.waitUntil(promise);
    };
  }

  /** Tasks not settled yet (the stats' `background`). */
  get pending(): number {
    return this.#work.size;
  }

  /**
   * Waits for every task (including ones added meanwhile) for up to `timeoutSeconds`; logs and
   * returns false when some were still running at the deadline.
   */
  async finish(timeoutSeconds: number): Promise<boolean> {
    if (this.#work.size === 0) return true;
    const waiting = this.#work.size;
    this.#log.info(
      `waiting up to ${timeoutSeconds} s (shutdown-timeout) for ${waiting} tsgi.waitUntil task(s)`,
    );
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutSeconds * 1000);
    });
    const done = await Promise.race([this.#work.settled().then(() => true as const), cut]);
    clearTimeout(timer);
    if (!done) {
      this.#log.error(
        `${this.#work.size} tsgi.waitUntil task(s) cut: still running after ${timeoutSeconds} s (shutdown-timeout)`,
      );
    }
    return done;
  }
}
