/**
 * The worker processes (uWSGI's master_utils, gunicorn's spawn/kill): forks them into slots,
 * talks to them over IPC, asks them to go, kills them. What they report comes back to the master
 * loop as events; the pool never decides on its own when a worker should start or stop.
 */
import type { ChildProcess } from 'node:child_process';
import type { GatewayConfig } from '../config/index.js';
import type { LogFile } from '../logging/log-file.js';
import type { Logger } from '../logging/logger.js';
import {
  type BootMessage,
  type MasterMessage,
  WORKER_EXIT,
  type WorkerMessage,
} from '../worker/ipc.js';
import { jitteredMaxRequests } from '../worker/recycle.js';
import { type BoundHandle, wireSpec } from './bind.js';
import { forkWorker, newHandle, type WorkerHandle } from './worker-handle.js';
import { pipeLines } from './worker-output.js';

/** What a worker tells the master loop (queued: the loop acts on it). */
export type WorkerEvent =
  | { kind: 'ready'; worker: WorkerHandle }
  | { kind: 'retiring'; worker: WorkerHandle; reason: string }
  | { kind: 'exit'; worker: WorkerHandle; code: number | null; signal: NodeJS.Signals | null };

export interface PoolOptions {
  app: string;
  handles: readonly BoundHandle[];
  log: Logger;
  logFile: LogFile | null;
  /** Queues a worker's event for the master loop. */
  report: (event: WorkerEvent) => void;
}

export function heartbeatInterval(harakiriSeconds: number): number {
  if (harakiriSeconds <= 0) return 1000;
  return Math.max(100, Math.min(1000, Math.floor((harakiriSeconds * 1000) / 4)));
}

export class WorkerPool {
  /** By pid. */
  readonly workers = new Map<number, WorkerHandle>();
  readonly #options: PoolOptions;
  readonly #log: Logger;
  #ageCounter = 0;
  readonly #slotRespawns = new Map<number, number>();
  /** Requests by status class of workers that are gone (Prometheus counters must not go down). */
  readonly #pastByStatus: Record<string, number> = {};

  constructor(options: PoolOptions) {
    this.#options = options;
    this.#log = options.log;
  }

  /** Workers serving or on their way to it (not retiring, not stopping). */
  active(): WorkerHandle[] {
    return [...this.workers.values()].filter((w) => w.state === 'starting' || w.state === 'ready');
  }

  #freeSlot(): number {
    const used = new Set([...this.workers.values()].map((w) => w.id));
    let id = 1;
    while (used.has(id)) id++;
    return id;
  }

  /** Forks a worker into `slot` (the lowest free one by default) for `generation`. */
  spawn(config: GatewayConfig, generation: number, slot?: number): WorkerHandle {
    const id = slot ?? this.#freeSlot();
    const respawns = this.#slotRespawns.get(id);
    const respawnCount = respawns === undefined ? 0 : respawns + 1;
    this.#slotRespawns.set(id, respawnCount);
    const logFile = this.#options.logFile;
    const child: ChildProcess = forkWorker(logFile !== null);
    const w = newHandle(child, id, ++this.#ageCounter, generation, respawnCount);
    this.workers.set(w.pid, w);
    const report = this.#options.report;
    child.on('message', (message: WorkerMessage) => this.#onMessage(w, message, config));
    child.on('exit', (code, signal) => report({ kind: 'exit', worker: w, code, signal }));
    child.on('error', (error) => {
      this.#log.warn(`master: worker ${w.id} (pid ${w.pid}): ${error.message}`);
      // Could not even start (EACCES after --uid, EAGAIN): no 'exit' will come, count it as one.
      if (!child.pid) report({ kind: 'exit', worker: w, code: WORKER_EXIT.BOOT, signal: null });
    });
    if (logFile) {
      pipeLines(child.stdout, logFile);
      pipeLines(child.stderr, logFile);
    }
    return w;
  }

  /** Forgets a worker that exited; keeps its request counts for the totals. */
  remove(w: WorkerHandle): boolean {
    if (!this.workers.delete(w.pid)) return false;
    if (w.killTimer) clearTimeout(w.killTimer);
    for (const [cls, n] of Object.entries(w.counters.byStatus)) {
      this.#pastByStatus[cls] = (this.#pastByStatus[cls] ?? 0) + n;
    }
    return true;
  }

  /** Requests by status class since the start, of live and gone workers. */
  byStatus(): Record<string, number> {
    const out: Record<string, number> = { ...this.#pastByStatus };
    for (const w of this.workers.values()) {
      for (const [cls, n] of Object.entries(w.counters.byStatus)) out[cls] = (out[cls] ?? 0) + n;
    }
    return out;
  }

  #onMessage(w: WorkerHandle, message: WorkerMessage, config: GatewayConfig): void {
    w.lastSeen = performance.now();
    switch (message.type) {
      case 'hello':
        this.#boot(w, config);
        return;
      case 'ready':
        this.#options.report({ kind: 'ready', worker: w });
        return;
      case 'heartbeat':
        w.counters = message.counters;
        w.running = message.running;
        return;
      case 'request-start':
        w.lastRequestStart = message.request;
        return;
      case 'retiring':
        this.#options.report({ kind: 'retiring', worker: w, reason: message.reason });
        return;
    }
  }

  #boot(w: WorkerHandle, config: GatewayConfig): void {
    const boot: BootMessage = {
      type: 'boot',
      id: w.id,
      app: this.#options.app,
      config,
      listeners: this.#options.handles.length,
      maxRequests: jitteredMaxRequests(config.maxRequests, config.maxRequestsDelta),
      heartbeatMs: heartbeatInterval(config.harakiri),
    };
    this.#send(w, boot);
    this.#options.handles.forEach((b, index) => {
      this.#send(w, { type: 'listener', index, spec: wireSpec(b.spec) }, b.handle);
    });
  }

  #send(w: WorkerHandle, message: MasterMessage, handle?: unknown): void {
    if (!w.child.connected) return;
    try {
      w.child.send(message, handle as never, (error) => {
        if (error)
          this.#log.warn(`master: cannot reach worker ${w.id} (pid ${w.pid}): ${error.message}`);
      });
    } catch (error) {
      this.#log.warn(
        `master: cannot reach worker ${w.id} (pid ${w.pid}): ${(error as Error).message}`,
      );
    }
  }

  #signal(w: WorkerHandle, signal: NodeJS.Signals): void {
    try {
      process.kill(w.pid, signal);
    } catch {
      // Already gone; 'exit' follows.
    }
  }

  /** SIGKILL; from then on the master only waits for its exit (no second kill, no more checks). */
  kill(w: WorkerHandle): void {
    w.killed = true;
    this.#signal(w, 'SIGKILL');
  }

  /** Ends a worker now, as the master decided (harakiri, evil RSS, quit): its exit is expected. */
  terminate(w: WorkerHandle, reason: string): void {
    w.expectedExit = true;
    w.exitReason = reason;
    w.state = 'stopping';
    this.kill(w);
  }

  /** A worker announced it is going (max-requests, lifetime, RSS): it serves until replaced. */
  markRetiring(w: WorkerHandle, reason: string): void {
    w.state = 'retiring';
    w.expectedExit = true;
    w.exitReason = reason;
    w.retiringSince = performance.now();
  }

  /**
   * Asks a worker to go: graceful = finish in-flight requests first (SIGKILL after
   * worker-reload-mercy); drainQueue = accept what waits in the listen queue before closing the
   * listeners (shutdown only: on a reload others accept).
   */
  retire(
    w: WorkerHandle,
    reason: string,
    graceful: boolean,
    mercySeconds: number,
    drainQueue = false,
  ): void {
    if (w.state === 'stopping' && graceful) return;
    w.state = 'stopping';
    w.expectedExit = true;
    w.exitReason = reason;
    this.#armKillTimer(w, mercySeconds);
    if (w.readyAt === 0) {
      // Not serving yet: SIGTERM ends it at once before it listens, gracefully after.
      this.#signal(w, graceful ? 'SIGTERM' : 'SIGKILL');
      return;
    }
    this.#send(w, { type: 'stop', graceful, ...(drainQueue ? { drainQueue } : {}) });
    if (!w.child.connected) this.#signal(w, graceful ? 'SIGTERM' : 'SIGKILL');
  }

  /** A reload began: the worker closes its WebSockets (1001) and serves on until retired. */
  goAway(w: WorkerHandle): void {
    if (w.readyAt !== 0 && w.state !== 'stopping') this.#send(w, { type: 'go-away' });
  }

  #armKillTimer(w: WorkerHandle, mercy: number): void {
    if (w.killTimer) return;
    w.killTimer = setTimeout(() => {
      this.#log.warn(
        `master: worker ${w.id} (pid ${w.pid}) still busy after ${mercy} s (worker-reload-mercy): SIGKILL`,
      );
      this.kill(w);
    }, mercy * 1000);
  }

  /** The master is going: no worker may outlive it. */
  killAll(): void {
    for (const w of this.workers.values()) this.kill(w);
  }
}
