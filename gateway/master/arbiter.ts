/**
 * The master loop (gunicorn's Arbiter, uWSGI's master_loop): signal handlers, the FIFO and worker
 * messages only queue events; one loop handles them, runs the checks (checks.ts), moves the
 * worker target once a second (scaling.ts) and reconciles the pool (pool.ts) with that target,
 * oldest first. A rolling reload falls out of that ordering: bump the generation, and reconcile
 * replaces each outdated worker by first starting a new one and retiring the old one only when
 * the new one accepts.
 */
import type { GatewayConfig } from '../config/index.js';
import type { LogFile } from '../logging/log-file.js';
import type { Logger } from '../logging/logger.js';
import { formatAddress } from '../server/address.js';
import type { StatsDocument } from '../stats/document.js';
import { WORKER_EXIT } from '../worker/ipc.js';
import { nextFailureCount, respawnDelay } from './backoff.js';
import { type BoundHandle, unlinkOwnSocket } from './bind.js';
import { checkDeadlines, checkMemory } from './checks.js';
import { processError } from './errors.js';
import { type WorkerEvent, WorkerPool } from './pool.js';
import { WorkerTarget } from './scaling.js';
import type { MasterAction } from './signals.js';
import { buildStatsDocument } from './stats-document.js';
import type { WorkerHandle } from './worker-handle.js';

type MasterEvent = { kind: 'action'; action: MasterAction; source: string } | WorkerEvent;

export interface ArbiterOptions {
  config: GatewayConfig;
  app: string;
  handles: readonly BoundHandle[];
  log: Logger;
  logFile: LogFile | null;
  version: string;
  /** Re-reads the configuration for a reload (null when it fails: the reload keeps the old one). */
  reloadConfig?: () => GatewayConfig | null;
  /** Extra periodic work (touch files, autoreload): returns actions to queue. */
  poll?: (now: number) => Array<{ action: MasterAction; source: string }>;
}

const LOOP_WAKE_MS = 250;
const CYCLE_MS = 1000;
/** Startup failures in a row, before any worker was ever ready, that end the gateway. */
const BOOT_FAILURE_LIMIT = 5;
/** Longest a self-retiring worker keeps serving while its replacement starts. */
const RETIRE_WAIT_MS = 30_000;

export class Arbiter {
  readonly pool: WorkerPool;
  private config: GatewayConfig;
  private readonly target: WorkerTarget;
  private readonly queue: MasterEvent[] = [];
  private wake: (() => void) | undefined;
  private exitCode: number | undefined;
  private shutdown: 'graceful' | 'immediate' | null = null;
  private shutdownTimer: NodeJS.Timeout | undefined;
  private generation = 1;
  private everReady = false;
  private announced = false;
  private failures = 0;
  private nextSpawnAt = 0;
  private lastCycle = 0;
  readonly startedAt = Date.now();
  readonly log: Logger;

  constructor(private readonly options: ArbiterOptions) {
    this.config = options.config;
    this.log = options.log;
    this.target = new WorkerTarget(options.config, options.log);
    this.pool = new WorkerPool({
      app: options.app,
      handles: options.handles,
      log: options.log,
      logFile: options.logFile,
      report: (event) => this.push(event),
    });
  }

  push(event: MasterEvent): void {
    this.queue.push(event);
    this.wake?.();
  }

  /** Queue an action (signal handlers, the FIFO, tests). Never acts directly. */
  request(action: MasterAction, source: string): void {
    this.push({ kind: 'action', action, source });
  }

  async run(): Promise<number> {
    while (this.exitCode === undefined) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, LOOP_WAKE_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
      for (const event of this.queue.splice(0)) this.handle(event);
      if (this.exitCode !== undefined) break;
      checkDeadlines(this.pool, this.config, this.log);
      const now = performance.now();
      if (now - this.lastCycle >= CYCLE_MS) {
        this.lastCycle = now;
        this.cycle(now);
      }
      this.reconcile();
      if (this.shutdown && this.pool.workers.size === 0) this.exitCode = 0;
    }
    if (this.shutdownTimer) clearTimeout(this.shutdownTimer);
    // A halt (app failed to load) may leave workers behind: they must not outlive the master.
    this.pool.killAll();
    return this.exitCode;
  }

  // ---- events ----

  private handle(event: MasterEvent): void {
    switch (event.kind) {
      case 'action':
        this.act(event.action, event.source);
        return;
      case 'ready': {
        const w = event.worker;
        if (w.state !== 'starting') return;
        w.state = 'ready';
        w.readyAt = Date.now();
        this.everReady = true;
        this.log.info(
          `master: worker ${w.id} (pid ${w.pid}) ready, generation ${w.generation}, ${Date.now() - w.spawnedAt} ms after spawn`,
        );
        if (this.shutdown) this.retire(w, 'shutdown', true, true);
        const ready = this.pool.active().filter((x) => x.state === 'ready').length;
        if (!this.announced && ready >= this.target.count) {
          // The same line the single-process gateway prints, once every initial worker accepts.
          this.announced = true;
          this.log.info(
            `ready (pid ${process.pid}), serving ${this.options.app} with ${ready} worker(s)`,
          );
        }
        return;
      }
      case 'retiring':
        // It keeps serving until its replacement accepts (reconcile sends the stop then).
        if (event.worker.state !== 'stopping') this.pool.markRetiring(event.worker, event.reason);
        return;
      case 'exit':
        this.reap(event.worker, event.code, event.signal);
        return;
    }
  }

  private act(action: MasterAction, source: string): void {
    switch (action) {
      case 'reload':
      case 'chain-reload':
        if (this.shutdown) return;
        this.reload(source);
        return;
      case 'brutal-reload':
        if (this.shutdown) return;
        this.log.info(`master: ${source}: brutal reload, closing every worker now`);
        this.maybeReloadConfig();
        this.generation++;
        for (const w of this.pool.workers.values()) this.retire(w, 'brutal reload', false);
        return;
      case 'stop':
        if (this.shutdown) {
          this.act('quit', `${source} (again)`);
          return;
        }
        this.shutdown = 'graceful';
        this.log.info(
          `master: ${source}: graceful shutdown, in-flight requests get up to ${this.config.workerReloadMercy} s (worker-reload-mercy)`,
        );
        this.refuseNewConnections();
        for (const w of this.pool.workers.values()) this.retire(w, 'shutdown', true, true);
        this.shutdownTimer = setTimeout(
          () => this.request('quit', `reload-mercy ${this.config.reloadMercy} s passed`),
          this.config.reloadMercy * 1000,
        );
        return;
      case 'quit':
        this.shutdown = 'immediate';
        this.log.info(`master: ${source}: immediate shutdown`);
        for (const w of this.pool.workers.values()) this.pool.terminate(w, 'immediate shutdown');
        return;
      case 'stats':
        this.logStats(source);
        return;
      case 'add-worker':
        this.target.add(source);
        return;
      case 'remove-worker':
        this.target.remove(source);
        return;
      case 'reopen-log':
        try {
          this.options.logFile?.reopen();
        } catch (error) {
          this.log.warn(
            `master: ${source}: ${(error as Error).message}; still writing to the old file`,
          );
          return;
        }
        this.log.info(`master: ${source}: log file reopened`);
        return;
    }
  }

  private maybeReloadConfig(): void {
    const next = this.options.reloadConfig?.();
    if (!next) return;
    this.config = next;
    this.target.configure(next);
  }

  private reload(source: string): void {
    this.maybeReloadConfig();
    this.generation++;
    this.log.info(
      `master: ${source}: rolling reload to generation ${this.generation} (${this.pool.active().length} workers, one at a time)`,
    );
    // WebSocket clients hear 1001 as the reload begins, not when their worker's turn comes.
    for (const w of this.pool.active()) this.pool.goAway(w);
  }

  private reap(w: WorkerHandle, code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.pool.remove(w)) return;
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    if (w.expectedExit) {
      this.log.info(
        `master: worker ${w.id} (pid ${w.pid}) ended (${w.exitReason || 'stopped'}, ${how})`,
      );
      return;
    }
    if (this.shutdown) return;
    if (code === WORKER_EXIT.APP_LOAD || code === WORKER_EXIT.BOOT) {
      const err = processError(
        code === WORKER_EXIT.APP_LOAD ? 'ERR_MASTER_APP_LOAD' : 'ERR_MASTER_BOOT',
        `worker ${w.id} (pid ${w.pid}) exited with code ${code}`,
      );
      if (!this.everReady) {
        // gunicorn's HaltServer: at startup this will not get better by respawning.
        this.log.error(err.message);
        this.exitCode = code;
        return;
      }
      if (w.generation === this.generation && this.outdated().length > 0) {
        this.log.error(processError('ERR_MASTER_RELOAD_FAILED', err.message).message);
        this.generation = Math.min(...this.pool.active().map((x) => x.generation), this.generation);
      }
    }
    const lived = w.readyAt ? Date.now() - w.readyAt : 0;
    // A ready worker killed by a signal from outside (kill -9, the OOM killer) is not a crash
    // loop of the app: its replacement starts at once. Boot deaths and exits a ready worker
    // caused itself (non-zero code, SIGSEGV/SIGABRT soon after ready) feed the backoff.
    this.failures = nextFailureCount(this.failures, {
      wasReady: w.readyAt > 0,
      livedMs: lived,
      signal,
    });
    const delay = respawnDelay(this.failures);
    this.nextSpawnAt = Date.now() + delay;
    this.log.warn(
      `master: worker ${w.id} (pid ${w.pid}) died (${how}); respawning${delay ? ` in ${delay} ms (${this.failures} quick failures in a row)` : ''}`,
    );
    if (!this.everReady && this.failures >= BOOT_FAILURE_LIMIT) {
      this.log.error(
        processError('ERR_MASTER_NO_WORKER', `${this.failures} workers died at startup`).message,
      );
      this.exitCode = WORKER_EXIT.BOOT;
    }
  }

  // ---- workers ----

  private outdated(): WorkerHandle[] {
    return this.pool.active().filter((w) => w.generation < this.generation);
  }

  private retire(w: WorkerHandle, reason: string, graceful: boolean, drainQueue = false): void {
    this.pool.retire(w, reason, graceful, this.config.workerReloadMercy, drainQueue);
  }

  /**
   * Graceful shutdown, step 1: remove the unix socket files, so a new connect fails before anything
   * is sent (nginx passes even a POST to its next upstream server) instead of waiting in the listen
   * queue to be reset when the socket closes. TCP listeners cannot refuse without closing (which
   * would reset the queue too): they keep queueing through the workers' accept drain.
   */
  private refuseNewConnections(): void {
    for (const b of this.options.handles) {
      try {
        const path = unlinkOwnSocket(b);
        if (path) this.log.info(`master: removed ${path}: new connections are refused from now on`);
      } catch (error) {
        // After --uid the directory may not be writable: connects then queue as before.
        this.log.warn(
          `master: cannot remove ${formatAddress(b.bound)} (${(error as Error).message}): connections opened during the drain may be reset`,
        );
      }
    }
  }

  /** Compare what runs with what should run; spawn the shortfall, retire the surplus oldest first. */
  private reconcile(): void {
    if (this.shutdown || this.exitCode !== undefined) return;
    const target = this.target.count;
    const active = this.pool.active();
    const starting = active.filter((w) => w.state === 'starting');
    const ready = active.filter((w) => w.state === 'ready');
    const outdated = this.outdated();
    // Shortfall (crash, recycle, cheaper growth), throttled by the crash-loop backoff.
    let missing = target - active.length;
    // Rolling reload: one extra worker at a time; the surplus rule below retires an old one once it is ready.
    const rolling = outdated.length > 0 && starting.length === 0 && missing === 0;
    if (rolling) missing = 1;
    if (missing > 0 && Date.now() >= this.nextSpawnAt) {
      const n = this.failures > 1 ? 1 : missing;
      // The replacement takes the slot id of the worker it replaces, as uWSGI's ids stay 1..N.
      const oldest = rolling ? [...outdated].sort((a, b) => a.age - b.age)[0] : undefined;
      for (let i = 0; i < n; i++) this.pool.spawn(this.config, this.generation, oldest?.id);
    }
    // Self-retiring workers (max-requests, lifetime, rss) go once enough others accept, or after
    // RETIRE_WAIT_MS if no replacement comes up (a broken app must not keep them forever).
    for (const w of this.pool.workers.values()) {
      if (w.state !== 'retiring') continue;
      const waited = performance.now() - w.retiringSince;
      if (ready.length >= target || waited > RETIRE_WAIT_MS) this.retire(w, w.exitReason, true);
    }
    // Surplus: retire the oldest ready workers (outdated ones first), never going below target ready.
    const surplus = active.length - target;
    const canRetire = Math.min(surplus, ready.length - target);
    if (canRetire > 0) {
      const order = [...ready].sort(
        (a, b) =>
          Number(b.generation < this.generation) - Number(a.generation < this.generation) ||
          a.counters.inflight - b.counters.inflight ||
          a.age - b.age,
      );
      for (const w of order.slice(0, canRetire)) {
        const why = w.generation < this.generation ? 'reload' : 'cheaper';
        this.retire(w, why, true);
      }
    }
  }

  /** Once a second: evil RSS, cheaper, idle, touch files. */
  private cycle(now: number): void {
    checkMemory(this.pool, this.config, this.log);
    if (!this.shutdown) {
      const active = this.pool.active();
      const ready = active.filter((w) => w.state === 'ready');
      // Decide only on a settled set: a worker still starting would make "all busy" count twice.
      if (ready.length === active.length && this.outdated().length === 0) {
        this.target.cheaper(active.length, ready);
      }
      this.target.idle(now, this.pool.workers.values());
    }
    for (const { action, source } of this.options.poll?.(now) ?? []) this.request(action, source);
  }

  // ---- stats ----

  statsDocument(): StatsDocument {
    return buildStatsDocument(this.pool.workers.values(), this.options.handles, {
      version: this.options.version,
      listen: this.config.listen,
    });
  }

  byStatus(): Record<string, number> {
    return this.pool.byStatus();
  }

  private logStats(source: string): void {
    const doc = this.statsDocument();
    this.log.info(
      `master: ${source}: stats pid ${doc.pid}, ${doc.workers.length} workers, listen_queue ${doc.listen_queue}`,
    );
    for (const w of doc.workers) {
      this.log.info(
        `master: stats worker ${w.id} pid ${w.pid} ${w.status} requests ${w.requests} exceptions ${w.exceptions} harakiri ${w.harakiri_count} rss ${Math.round(w.rss / 1048576)} MB avg_rt ${w.avg_rt} us respawns ${w.respawn_count}`,
      );
    }
  }
}
