/**
 * How many workers should run (uWSGI's cheaper subsystem and --idle): the loop reconciles the
 * pool with this target. Starts at cheaper-initial (or processes), moves with the cheaper
 * algorithm's decisions, the +/- FIFO commands, and idleness.
 */

import type { GatewayConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { type CheaperState, decideCheaper, initialCheaperState } from './cheaper.js';
import type { WorkerHandle } from './worker-handle.js';

export class WorkerTarget {
  #config: GatewayConfig;
  readonly #log: Logger;
  #target: number;
  #cheaperState: CheaperState = initialCheaperState();
  #lastRequestTotal = -1;
  #lastActivity = performance.now();
  #idling = false;

  constructor(config: GatewayConfig, log: Logger) {
    this.#config = config;
    this.#log = log;
    this.#target = this.#initial();
  }

  /** The number of workers that should be serving. */
  get count(): number {
    return this.#target;
  }

  #initial(): number {
    const c = this.#config;
    if (c.cheaper > 0)
      return Math.min(c.processes, Math.max(c.cheaper, c.cheaperInitial || c.cheaper));
    return c.processes;
  }

  get #min(): number {
    return Math.max(1, this.#config.cheaper > 0 ? this.#config.cheaper : 1);
  }

  /** A reload brought a new configuration: a changed size restarts from the initial count. */
  configure(next: GatewayConfig): void {
    const before = this.#config;
    this.#config = next;
    const sizeChanged =
      next.processes !== before.processes ||
      next.cheaper !== before.cheaper ||
      next.cheaperInitial !== before.cheaperInitial;
    if (sizeChanged) {
      this.#target = this.#initial();
      this.#log.info(`master: worker target now ${this.#target} (configuration changed)`);
    }
  }

  /** The `+` command (uWSGI's master FIFO): one more, up to processes. */
  add(source: string): void {
    if (this.#target < this.#config.processes) this.#target++;
    this.#log.info(`master: ${source}: worker target now ${this.#target}`);
  }

  /** The `-` command: one fewer, down to cheaper (or 1). */
  remove(source: string): void {
    if (this.#target > this.#min) this.#target--;
    this.#log.info(`master: ${source}: worker target now ${this.#target}`);
  }

  /**
   * Once a second, on a settled set (no worker starting, none outdated): the cheaper algorithm's
   * decision from how busy the ready workers were.
   */
  cheaper(active: number, ready: readonly WorkerHandle[]): void {
    const config = this.#config;
    if (config.cheaper <= 0) return;
    const decision = decideCheaper(config.cheaperAlgo as 'spare' | 'busyness', this.#cheaperState, {
      active,
      busy: ready.map((w) => w.counters.busy),
      min: this.#min,
      max: config.processes,
      step: config.cheaperStep,
      overload: config.cheaperOverload,
    });
    this.#cheaperState = decision.state;
    if (decision.delta === 0) return;
    const before = this.#target;
    this.#target = Math.max(this.#min, Math.min(config.processes, this.#target + decision.delta));
    if (this.#target !== before) {
      this.#log.info(
        `master: cheaper (${config.cheaperAlgo}): workers ${before} → ${this.#target}`,
      );
    }
  }

  /**
   * --idle S: after S seconds without a request anywhere, keep a single worker; the full count
   * comes back with the first request (reported on the next heartbeat).
   */
  idle(now: number, workers: Iterable<WorkerHandle>): void {
    const idle = this.#config.idle;
    if (idle <= 0) return;
    let total = 0;
    for (const w of workers) total += w.counters.requests;
    // Requests of workers that are gone are not in the sum: compare with care (count changed = activity).
    if (total !== this.#lastRequestTotal) {
      this.#lastRequestTotal = total;
      this.#lastActivity = now;
      if (this.#idling) {
        this.#idling = false;
        this.#target = this.#initial();
        this.#log.info(`master: traffic again, worker target back to ${this.#target}`);
      }
      return;
    }
    if (!this.#idling && now - this.#lastActivity > idle * 1000 && this.#target > 1) {
      this.#idling = true;
      this.#target = 1;
      this.#log.info(`master: idle for ${idle} s (idle), keeping 1 worker`);
    }
  }
}
