/**
 * The open connections of one worker, in accept order, with a cap (--worker-connections). At the
 * cap, or when accept() fails for want of file descriptors, the oldest idle connection (no
 * request byte yet, or kept alive between requests) is closed to admit the new one, the way
 * nginx reuses connections: a flood of silent connections cannot lock real clients out.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from '../logging/logger.js';

export interface CappedConnection {
  /** True while no request is under way (nothing read yet, or idle between keep-alive requests). */
  idle(): boolean;
  /** Closes it now. */
  evict(): void;
}

/** File descriptors kept for everything else a worker opens (logs, temp files, IPC). */
const RESERVED_FDS = 64;

/** The soft open-files limit of this process (Linux /proc), or undefined when unknown. */
export function openFilesLimit(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'latin1');
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (m && m[1] !== 'unlimited') return Number(m[1]);
  } catch {
    // Not Linux: no default cap from the fd limit; accept failures still shed idle connections.
  }
  return undefined;
}

/** --worker-connections 0 means: the open-files limit less a reserve. */
export function defaultConnectionCap(): number {
  const fds = openFilesLimit();
  return fds === undefined ? Number.POSITIVE_INFINITY : Math.max(16, fds - RESERVED_FDS);
}

export class ConnectionCap {
  readonly limit: number;
  readonly #open = new Set<CappedConnection>();
  readonly #log: Logger;
  #lastWarning = 0;
  /** Idle connections closed to make room (stats, tests). */
  evicted = 0;

  constructor(limit: number, log: Logger) {
    this.limit = limit > 0 ? limit : defaultConnectionCap();
    this.#log = log;
  }

  get size(): number {
    return this.#open.size;
  }

  /**
   * Makes room for one more connection: at the cap, closes the oldest idle one. False when all
   * of them are busy (the caller answers 503 and closes the new one).
   */
  admit(): boolean {
    if (this.#open.size < this.limit) return true;
    if (this.shed(1, `worker-connections ${this.limit} reached`) === 1) return true;
    this.#warn(
      `all ${this.#open.size} connections busy (worker-connections ${this.limit}): refused one with 503`,
    );
    return false;
  }

  add(connection: CappedConnection): void {
    this.#open.add(connection);
  }

  delete(connection: CappedConnection): void {
    this.#open.delete(connection);
  }

  /** Closes up to `count` idle connections, oldest first; returns how many. */
  shed(count: number, why: string): number {
    let closed = 0;
    for (const connection of this.#open) {
      if (closed >= count) break;
      if (!connection.idle()) continue;
      this.#open.delete(connection);
      connection.evict();
      closed++;
    }
    this.evicted += closed;
    if (closed > 0) this.#warn(`${why}: closed ${closed} idle connection(s), oldest first`);
    return closed;
  }

  /** accept() failed with EMFILE/ENFILE: free descriptors for the connections still queued. */
  outOfDescriptors(): void {
    this.shed(Math.max(1, Math.ceil(this.#open.size / 10)), 'out of file descriptors');
  }

  /** At most one line a second: a flood must not turn into a flood of log lines. */
  #warn(line: string): void {
    const now = Date.now();
    if (now - this.#lastWarning < 1000) return;
    this.#lastWarning = now;
    this.#log.warn(line);
  }
}
