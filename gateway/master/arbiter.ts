/**
 * The master loop (gunicorn's Arbiter): signal handlers, the FIFO and worker messages only queue
 * events; one loop handles them, then checks deadlines (blocked workers, evil RSS), polls touch
 * files, runs the cheaper algorithm and reconciles the worker set with its target, oldest first.
 * A rolling reload falls out of that ordering: bump the generation, and reconcile replaces each
 * outdated worker by first starting a new one and retiring the old one only when the new one
 * accepts.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { type CheaperState, decideCheaper, initialCheaperState } from '../cheaper/decide.js';
import type { GatewayConfig } from '../config/index.js';
import type { LogFile } from '../logging/log-file.js';
import { formatAddress } from '../server/address.js';
import type { Logger } from '../server/logger.js';
import { buildStatsDocument } from '../stats/build-document.js';
import type { StatsDocument } from '../stats/document.js';
import { readMemory } from '../stats/proc.js';
import {
  type BootMessage,
  type MasterMessage,
  WORKER_EXIT,
  type WorkerMessage,
} from '../worker/ipc.js';
import { jitteredMaxRequests } from '../worker/recycle.js';
import { nextFailureCount, respawnDelay } from './backoff.js';
import { type BoundHandle, unlinkOwnSocket } from './bind.js';
import { processError } from './errors.js';
import type { MasterAction } from './signals.js';
import { forkWorker, newHandle, type WorkerHandle } from './worker-handle.js';

type MasterEvent =
  | { kind: 'action'; action: MasterAction; source: string }
  | { kind: 'ready'; worker: WorkerHandle }
  | { kind: 'retiring'; worker: WorkerHandle; reason: string }
  | { kind: 'exit'; worker: WorkerHandle; code: number | null; signal: NodeJS.Signals | null };

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
/** Longest a worker may take to load the app and listen. */
const STARTUP_TIMEOUT_MS = 60_000;

export function heartbeatInterval(harakiriSeconds: number): number {
  if (harakiriSeconds <= 0) return 1000;
  return Math.max(100, Math.min(1000, Math.floor((harakiriSeconds * 1000) / 4)));
}

export class Arbiter {
  readonly workers = new Map<number, WorkerHandle>();
  private config: GatewayConfig;
  private readonly queue: MasterEvent[] = [];
  private wake: (() => void) | undefined;
  private exitCode: number | undefined;
  private shutdown: 'graceful' | 'immediate' | null = null;
  private shutdownTimer: NodeJS.Timeout | undefined;
  private generation = 1;
  private ageCounter = 0;
  private target: number;
  private everReady = false;
  private announced = false;
  private failures = 0;
  private nextSpawnAt = 0;
  private lastCycle = 0;
  private cheaperState: CheaperState = initialCheaperState();
  private lastRequestTotal = -1;
  private lastActivity = performance.now();
  private idling = false;
  private readonly slotRespawns = new Map<number, number>();
  /** Requests by status class of workers that are gone (Prometheus counters must not go down). */
  private readonly pastByStatus: Record<string, number> = {};
  readonly startedAt = Date.now();
  readonly log: Logger;

  constructor(private readonly options: ArbiterOptions) {
    this.config = options.config;
    this.log = options.log;
    this.target = this.initialTarget();
  }

  private initialTarget(): number {
    const c = this.config;
    if (c.cheaper > 0)
      return Math.min(c.processes, Math.max(c.cheaper, c.cheaperInitial || c.cheaper));
    return c.processes;
  }

  private get minWorkers(): number {
    return Math.max(1, this.config.cheaper > 0 ? this.config.cheaper : 1);
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
      this.checkDeadlines();
      const now = performance.now();
      if (now - this.lastCycle >= CYCLE_MS) {
        this.lastCycle = now;
        this.cycle(now);
      }
      this.reconcile();
      if (this.shutdown && this.workers.size === 0) this.exitCode = 0;
    }
    if (this.shutdownTimer) clearTimeout(this.shutdownTimer);
    // A halt (app failed to load) may leave workers behind: they must not outlive the master.
    for (const w of this.workers.values()) this.kill(w, 'SIGKILL');
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
        const ready = this.active().filter((x) => x.state === 'ready').length;
        if (!this.announced && ready >= this.target) {
          // The same line the single-process gateway prints, once every initial worker accepts.
          this.announced = true;
          this.log.info(
            `ready (pid ${process.pid}), serving ${this.options.app} with ${ready} worker(s)`,
          );
        }
        return;
      }
      case 'retiring': {
        const w = event.worker;
        if (w.state === 'stopping') return;
        // It keeps serving until its replacement accepts (reconcile sends the stop then).
        w.state = 'retiring';
        w.expectedExit = true;
        w.exitReason = event.reason;
        w.retiringSince = performance.now();
        return;
      }
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
        for (const w of this.workers.values()) this.retire(w, 'brutal reload', false);
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
        for (const w of this.workers.values()) this.retire(w, 'shutdown', true, true);
        this.shutdownTimer = setTimeout(
          () => this.request('quit', `reload-mercy ${this.config.reloadMercy} s passed`),
          this.config.reloadMercy * 1000,
        );
        return;
      case 'quit':
        this.shutdown = 'immediate';
        this.log.info(`master: ${source}: immediate shutdown`);
        for (const w of this.workers.values()) {
          w.expectedExit = true;
          w.exitReason = 'immediate shutdown';
          this.kill(w, 'SIGKILL');
        }
        return;
      case 'stats':
        this.logStats(source);
        return;
      case 'add-worker':
        if (this.target < this.config.processes) this.target++;
        this.log.info(`master: ${source}: worker target now ${this.target}`);
        return;
      case 'remove-worker':
        if (this.target > this.minWorkers) this.target--;
        this.log.info(`master: ${source}: worker target now ${this.target}`);
        return;
      case 'reopen-log':
        this.options.logFile?.reopen();
        this.log.info(`master: ${source}: log file reopened`);
        return;
    }
  }

  private maybeReloadConfig(): void {
    const next = this.options.reloadConfig?.();
    if (!next) return;
    const sizeChanged =
      next.processes !== this.config.processes ||
      next.cheaper !== this.config.cheaper ||
      next.cheaperInitial !== this.config.cheaperInitial;
    this.config = next;
    if (sizeChanged) {
      this.target = this.initialTarget();
      this.log.info(`master: worker target now ${this.target} (configuration changed)`);
    }
  }

  private reload(source: string): void {
    this.maybeReloadConfig();
    this.generation++;
    this.log.info(
      `master: ${source}: rolling reload to generation ${this.generation} (${this.active().length} workers, one at a time)`,
    );
  }

  private reap(w: WorkerHandle, code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.workers.has(w.pid)) return;
    this.workers.delete(w.pid);
    if (w.killTimer) clearTimeout(w.killTimer);
    for (const [cls, n] of Object.entries(w.counters.byStatus)) {
      this.pastByStatus[cls] = (this.pastByStatus[cls] ?? 0) + n;
    }
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
        this.generation = Math.min(...this.active().map((x) => x.generation), this.generation);
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

  private active(): WorkerHandle[] {
    return [...this.workers.values()].filter((w) => w.state === 'starting' || w.state === 'ready');
  }

  private outdated(): WorkerHandle[] {
    return this.active().filter((w) => w.generation < this.generation);
  }

  private freeSlot(): number {
    const used = new Set([...this.workers.values()].map((w) => w.id));
    let id = 1;
    while (used.has(id)) id++;
    return id;
  }

  private spawn(slot?: number): WorkerHandle {
    const id = slot ?? this.freeSlot();
    const respawns = this.slotRespawns.get(id);
    const respawnCount = respawns === undefined ? 0 : respawns + 1;
    this.slotRespawns.set(id, respawnCount);
    const child: ChildProcess = forkWorker(this.options.logFile !== null);
    const w = newHandle(child, id, ++this.ageCounter, this.generation, respawnCount);
    this.workers.set(w.pid, w);
    const config = this.config;
    child.on('message', (message: WorkerMessage) => this.onMessage(w, message, config));
    child.on('exit', (code, signal) => this.push({ kind: 'exit', worker: w, code, signal }));
    child.on('error', (error) => {
      this.log.warn(`master: worker ${w.id} (pid ${w.pid}): ${error.message}`);
      // Could not even start (EACCES after --uid, EAGAIN): no 'exit' will come, count it as one.
      if (!child.pid) this.push({ kind: 'exit', worker: w, code: WORKER_EXIT.BOOT, signal: null });
    });
    if (this.options.logFile) {
      this.pipeLines(child.stdout);
      this.pipeLines(child.stderr);
    }
    return w;
  }

  /** Worker output into the log file, whole lines only so workers never interleave mid-line. */
  private pipeLines(stream: Readable | null): void {
    if (!stream) return;
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const text = rest + chunk;
      const cut = text.lastIndexOf('\n');
      if (cut < 0) {
        rest = text;
        return;
      }
      rest = text.slice(cut + 1);
      this.options.logFile?.write(text.slice(0, cut + 1));
    });
    stream.on('end', () => {
      if (rest) this.options.logFile?.write(`${rest}\n`);
    });
  }

  private onMessage(w: WorkerHandle, message: WorkerMessage, config: GatewayConfig): void {
    w.lastSeen = performance.now();
    switch (message.type) {
      case 'hello':
        this.boot(w, config);
        return;
      case 'ready':
        this.push({ kind: 'ready', worker: w });
        return;
      case 'heartbeat':
        w.counters = message.counters;
        w.running = message.running;
        return;
      case 'request-start':
        w.lastRequestStart = message.request;
        return;
      case 'retiring':
        this.push({ kind: 'retiring', worker: w, reason: message.reason });
        return;
    }
  }

  private boot(w: WorkerHandle, config: GatewayConfig): void {
    const boot: BootMessage = {
      type: 'boot',
      id: w.id,
      app: this.options.app,
      config,
      listeners: this.options.handles.length,
      maxRequests: jitteredMaxRequests(config.maxRequests, config.maxRequestsDelta),
      heartbeatMs: heartbeatInterval(config.harakiri),
    };
    this.send(w, boot);
    this.options.handles.forEach((b, index) => {
      this.send(w, { type: 'listener', index }, b.handle);
    });
  }

  private send(w: WorkerHandle, message: MasterMessage, handle?: unknown): void {
    if (!w.child.connected) return;
    try {
      w.child.send(message, handle as never, (error) => {
        if (error)
          this.log.warn(`master: cannot reach worker ${w.id} (pid ${w.pid}): ${error.message}`);
      });
    } catch (error) {
      this.log.warn(
        `master: cannot reach worker ${w.id} (pid ${w.pid}): ${(error as Error).message}`,
      );
    }
  }

  private kill(w: WorkerHandle, signal: NodeJS.Signals): void {
    try {
      process.kill(w.pid, signal);
    } catch {
      // Already gone; 'exit' follows.
    }
  }

  private armKillTimer(w: WorkerHandle): void {
    if (w.killTimer) return;
    const mercy = this.config.workerReloadMercy;
    w.killTimer = setTimeout(() => {
      this.log.warn(
        `master: worker ${w.id} (pid ${w.pid}) still busy after ${mercy} s (worker-reload-mercy): SIGKILL`,
      );
      this.kill(w, 'SIGKILL');
    }, mercy * 1000);
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

  /**
   * Ask a worker to go: graceful = finish in-flight requests first; drainQueue = accept what waits
   * in the listen queue before closing the listeners (shutdown only: on a reload others accept).
   */
  private retire(w: WorkerHandle, reason: string, graceful: boolean, drainQueue = false): void {
    if (w.state === 'stopping' && graceful) return;
    w.state = 'stopping';
    w.expectedExit = true;
    w.exitReason = reason;
    this.armKillTimer(w);
    if (w.readyAt === 0) {
      // Not serving yet: SIGTERM ends it at once before it listens, gracefully after.
      this.kill(w, graceful ? 'SIGTERM' : 'SIGKILL');
      return;
    }
    this.send(w, { type: 'stop', graceful, ...(drainQueue ? { drainQueue } : {}) });
    if (!w.child.connected) this.kill(w, graceful ? 'SIGTERM' : 'SIGKILL');
  }

  /** Compare what runs with what should run; spawn the shortfall, retire the surplus oldest first. */
  private reconcile(): void {
    if (this.shutdown || this.exitCode !== undefined) return;
    const active = this.active();
    const starting = active.filter((w) => w.state === 'starting');
    const ready = active.filter((w) => w.state === 'ready');
    const outdated = this.outdated();
    // Shortfall (crash, recycle, cheaper growth), throttled by the crash-loop backoff.
    let missing = this.target - active.length;
    // Rolling reload: one extra worker at a time; the surplus rule below retires an old one once it is ready.
    const rolling = outdated.length > 0 && starting.length === 0 && missing === 0;
    if (rolling) missing = 1;
    if (missing > 0 && Date.now() >= this.nextSpawnAt) {
      const n = this.failures > 1 ? 1 : missing;
      // The replacement takes the slot id of the worker it replaces, as uWSGI's ids stay 1..N.
      const oldest = rolling ? [...outdated].sort((a, b) => a.age - b.age)[0] : undefined;
      for (let i = 0; i < n; i++) this.spawn(oldest?.id);
    }
    // Self-retiring workers (max-requests, lifetime, rss) go once enough others accept, or after
    // RETIRE_WAIT_MS if no replacement comes up (a broken app must not keep them forever).
    for (const w of this.workers.values()) {
      if (w.state !== 'retiring') continue;
      const waited = performance.now() - w.retiringSince;
      if (ready.length >= this.target || waited > RETIRE_WAIT_MS)
        this.retire(w, w.exitReason, true);
    }
    // Surplus: retire the oldest ready workers (outdated ones first), never going below target ready.
    const surplus = active.length - this.target;
    const canRetire = Math.min(surplus, ready.length - this.target);
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

  /** Blocked event loops (harakiri) and evil RSS: checked on every wake-up. */
  private checkDeadlines(): void {
    const harakiri = this.config.harakiri;
    const now = performance.now();
    for (const w of this.workers.values()) {
      if (w.state === 'starting') {
        if (Date.now() - w.spawnedAt > STARTUP_TIMEOUT_MS && !w.expectedExit) {
          this.log.error(
            `master: worker ${w.id} (pid ${w.pid}) did not become ready in ${STARTUP_TIMEOUT_MS / 1000} s: SIGKILL`,
          );
          this.kill(w, 'SIGKILL');
          w.spawnedAt = Date.now(); // one kill per timeout; 'exit' follows and counts the failure
        }
        continue;
      }
      if (
        harakiri > 0 &&
        now - w.lastSeen > harakiri * 1000 &&
        !w.exitReason.startsWith('harakiri')
      ) {
        const silent = ((now - w.lastSeen) / 1000).toFixed(1);
        // The blocking request is the newest one started: nothing can start after the loop blocks.
        const candidates = [...w.running, ...(w.lastRequestStart ? [w.lastRequestStart] : [])];
        const req = candidates.sort((a, b) => b.since - a.since)[0];
        const what = req
          ? `running ${req.method} ${req.uri} since ${new Date(req.since).toISOString()}`
          : 'no request known';
        this.log.error(
          `${processError('ERR_HARAKIRI_BLOCKED').message}: worker ${w.id} (pid ${w.pid}) sent no heartbeat for ${silent} s (harakiri ${harakiri} s), ${what}`,
        );
        if (this.config.harakiriVerbose) this.logProcState(w);
        w.expectedExit = true;
        w.exitReason = 'harakiri: event loop blocked';
        w.state = 'stopping';
        this.kill(w, 'SIGKILL');
      }
    }
  }

  private logProcState(w: WorkerHandle): void {
    for (const file of ['wchan', 'syscall']) {
      try {
        const text = readFileSync(`/proc/${w.pid}/${file}`, 'utf8').trim();
        this.log.error(`master: HARAKIRI worker ${w.id} ${file}> ${text}`);
      } catch {
        // Not Linux, or the process is gone.
      }
    }
    for (const r of w.running) {
      this.log.error(
        `master: HARAKIRI worker ${w.id} in flight: ${r.method} ${r.uri} since ${new Date(r.since).toISOString()}`,
      );
    }
  }

  /** Once a second: evil RSS, cheaper, touch files. */
  private cycle(now: number): void {
    const evil = this.config.evilReloadOnRss;
    if (evil > 0) {
      for (const w of this.workers.values()) {
        if (w.state === 'stopping') continue;
        const { rss } = readMemory(w.pid);
        if (rss > evil * 1024 * 1024) {
          this.log.warn(
            `master: worker ${w.id} (pid ${w.pid}) rss ${Math.round(rss / 1048576)} MB over evil-reload-on-rss ${evil} MB: SIGKILL`,
          );
          w.expectedExit = true;
          w.exitReason = 'evil-reload-on-rss';
          w.state = 'stopping';
          this.kill(w, 'SIGKILL');
        }
      }
    }
    const active = this.active();
    const ready = active.filter((w) => w.state === 'ready');
    // Decide only on a settled set: a worker still starting would make "all busy" count twice.
    const settled = ready.length === active.length && this.outdated().length === 0;
    if (this.config.cheaper > 0 && !this.shutdown && settled) {
      const decision = decideCheaper(
        this.config.cheaperAlgo as 'spare' | 'busyness',
        this.cheaperState,
        {
          active: active.length,
          busy: ready.map((w) => w.counters.busy),
          min: this.minWorkers,
          max: this.config.processes,
          step: this.config.cheaperStep,
          overload: this.config.cheaperOverload,
        },
      );
      this.cheaperState = decision.state;
      if (decision.delta !== 0) {
        const before = this.target;
        this.target = Math.max(
          this.minWorkers,
          Math.min(this.config.processes, this.target + decision.delta),
        );
        if (this.target !== before) {
          this.log.info(
            `master: cheaper (${this.config.cheaperAlgo}): workers ${before} → ${this.target}`,
          );
        }
      }
    }
    this.checkIdle(now);
    for (const { action, source } of this.options.poll?.(now) ?? []) this.request(action, source);
  }

  /**
   * --idle S: after S seconds without a request anywhere, keep a single worker; the full count
   * comes back with the first request (reported on the next heartbeat).
   */
  private checkIdle(now: number): void {
    const idle = this.config.idle;
    if (idle <= 0 || this.shutdown) return;
    let total = 0;
    for (const w of this.workers.values()) total += w.counters.requests;
    // Requests of workers that are gone are not in the sum: compare with care (count changed = activity).
    if (total !== this.lastRequestTotal) {
      this.lastRequestTotal = total;
      this.lastActivity = now;
      if (this.idling) {
        this.idling = false;
        this.target = this.initialTarget();
        this.log.info(`master: traffic again, worker target back to ${this.target}`);
      }
      return;
    }
    if (!this.idling && now - this.lastActivity > idle * 1000 && this.target > 1) {
      this.idling = true;
      this.target = 1;
      this.log.info(`master: idle for ${idle} s (idle), keeping 1 worker`);
    }
  }

  // ---- stats ----

  statsDocument(): StatsDocument {
    return buildStatsDocument(this.workers.values(), this.options.handles, {
      version: this.options.version,
      listen: this.config.listen,
    });
  }

  byStatus(): Record<string, number> {
    const out: Record<string, number> = { ...this.pastByStatus };
    for (const w of this.workers.values()) {
      for (const [cls, n] of Object.entries(w.counters.byStatus)) out[cls] = (out[cls] ?? 0) + n;
    }
    return out;
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
