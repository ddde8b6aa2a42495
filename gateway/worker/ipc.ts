/**
 * The messages between the master and a worker, as a discriminated union on `type` (piscina's
 * src/types.ts idea). Both sides import only this file from each other. Listening handles travel
 * as the second argument of `send()`, one `listener` message per handle.
 */
import type { GatewayConfig } from '../config/index.js';
import type { ListenerSpec } from '../server/listeners.js';

/** What a worker reports for stats (uWSGI's per-worker fields, cumulative since it started). */
export interface WorkerCounters {
  requests: number;
  exceptions: number;
  harakiriCount: number;
  /** Response bytes written. */
  tx: number;
  /** Average response time over the recent requests, microseconds. */
  avgRtUs: number;
  /** Total time spent in requests, microseconds (uWSGI's running_time). */
  runningTimeUs: number;
  /** Requests in flight right now. */
  inflight: number;
  /** Fraction (0..1) of the last heartbeat interval with at least one request in flight. */
  busy: number;
  rss: number;
  /** Request counts by status class, for Prometheus. */
  byStatus: Record<string, number>;
  /** tsgi.waitUntil tasks still running. */
  background?: number;
  /** WebSockets open right now. */
  websockets?: number;
  /**
   * Whether uwsgi and HTTP connections are served on their libuv handle, and why not ('' when
   * on); `acceptReads`: requests read at accept, already in the socket (absent from older workers).
   */
  fastTransport?: { on: boolean; reason: string; acceptReads?: number };
}

export interface RunningRequest {
  method: string;
  uri: string;
  /** Epoch milliseconds. */
  since: number;
}

// master → worker
export interface BootMessage {
  type: 'boot';
  id: number;
  app: string;
  config: GatewayConfig;
  /** How many `listener` messages (with handles) follow. */
  listeners: number;
  /** The max-requests this worker uses (max-requests plus its random share of the delta). */
  maxRequests: number;
  heartbeatMs: number;
}
export interface ListenerMessage {
  type: 'listener';
  index: number;
  /** What the handle serves (the master's list, which includes sockets systemd passed it). */
  spec?: ListenerSpec;
}
export interface StopMessage {
  type: 'stop';
  /** false: close every connection now. */
  graceful: boolean;
  /**
   * Shutdown (the master removed its socket files): keep accepting until the listen queue is
   * empty, then stop accepting (worker/accept-drain.ts). A reload leaves it off: others accept.
   */
  drainQueue?: boolean;
}
/**
 * A reload began: close open WebSockets with 1001 now, though this worker keeps serving until its
 * turn to retire comes (a rolling reload replaces one worker at a time).
 */
export interface GoAwayMessage {
  type: 'go-away';
}
export type MasterMessage = BootMessage | ListenerMessage | StopMessage | GoAwayMessage;

// worker → master
/** The worker's message handler is attached: the master may send the boot message now. */
export interface HelloMessage {
  type: 'hello';
}
export interface ReadyMessage {
  type: 'ready';
}
export interface HeartbeatMessage {
  type: 'heartbeat';
  counters: WorkerCounters;
  running: RunningRequest[];
}
/** Sent at the start of each request when harakiri is on, so a blocked loop can be explained. */
export interface RequestStartMessage {
  type: 'request-start';
  request: RunningRequest;
}
/** The worker decided to recycle itself (max-requests, lifetime, rss); it stops accepting now. */
export interface RetiringMessage {
  type: 'retiring';
  reason: string;
}
export type WorkerMessage =
  | HelloMessage
  | ReadyMessage
  | HeartbeatMessage
  | RequestStartMessage
  | RetiringMessage;

/** Worker exit codes the master acts on (gunicorn's protocol): these halt instead of respawning. */
export const WORKER_EXIT = {
  OK: 0,
  /** Could not listen on a handle or set itself up. */
  BOOT: 3,
  /** The app module failed to load. */
  APP_LOAD: 4,
} as const;

export function emptyCounters(): WorkerCounters {
  return {
    requests: 0,
    exceptions: 0,
    harakiriCount: 0,
    tx: 0,
    avgRtUs: 0,
    runningTimeUs: 0,
    inflight: 0,
    busy: 0,
    rss: 0,
    byStatus: {},
  };
}
