/**
 * Per-worker request accounting: what the stats server shows (uWSGI's requests, exceptions,
 * harakiri_count, tx, avg_rt, status) and what recycling and harakiri need (in-flight requests).
 * It writes no log line: the request line is made in logging/request-line.ts.
 */
import type { RunningRequest, WorkerCounters } from './ipc.js';

export interface RequestRecord extends RunningRequest {
  /** performance.now() at the start. */
  readonly startedAt: number;
  status: number;
  /** Body bytes handed to the gateway. */
  bytes: number;
  /** A non-empty chunk went out: the status line can no longer change. */
  committed: boolean;
  ended: boolean;
}

export interface RequestEnd {
  readonly record: RequestRecord;
  readonly ms: number;
}

/** Weight of the newest request in avg_rt (an exponential moving average). */
const RT_WEIGHT = 0.05;

export class RequestTracker {
  readonly running = new Set<RequestRecord>();
  requests = 0;
  exceptions = 0;
  harakiriCount = 0;
  tx = 0;
  avgRtUs = 0;
  runningTimeUs = 0;
  readonly byStatus: Record<string, number> = {};
  /** Busy time bookkeeping for the heartbeat's busy fraction. */
  private busySince = 0;
  private busyMs = 0;
  private intervalStart = performance.now();
  /** Called after every finished request (recycling by max-requests). */
  onEnd: ((end: RequestEnd) => void) | undefined;
  /** Called at every request start (the request-start IPC message when harakiri is on). */
  onBegin: ((record: RequestRecord) => void) | undefined;

  begin(environ: Record<string, unknown>): RequestRecord {
    const record: RequestRecord = {
      method: String(environ.REQUEST_METHOD ?? '-'),
      uri: String(environ.REQUEST_URI ?? environ.PATH_INFO ?? '-'),
      since: Date.now(),
      startedAt: performance.now(),
      status: 0,
      bytes: 0,
      committed: false,
      ended: false,
    };
    if (this.running.size === 0) this.busySince = record.startedAt;
    this.running.add(record);
    this.onBegin?.(record);
    return record;
  }

  end(record: RequestRecord): void {
    if (record.ended) return;
    record.ended = true;
    this.running.delete(record);
    const now = performance.now();
    if (this.running.size === 0) this.busyMs += now - Math.max(this.busySince, this.intervalStart);
    const ms = now - record.startedAt;
    this.requests++;
    this.tx += record.bytes;
    const us = ms * 1000;
    this.runningTimeUs += us;
    this.avgRtUs = this.requests === 1 ? us : this.avgRtUs + RT_WEIGHT * (us - this.avgRtUs);
    const cls = record.status >= 100 ? `${Math.floor(record.status / 100)}xx` : 'other';
    this.byStatus[cls] = (this.byStatus[cls] ?? 0) + 1;
    this.onEnd?.({ record, ms });
  }

  /** Counters for a heartbeat; starts a new busy-fraction interval. */
  snapshot(rss: number): WorkerCounters {
    const now = performance.now();
    let busy = this.busyMs;
    if (this.running.size > 0) busy += now - Math.max(this.busySince, this.intervalStart);
    const span = Math.max(1, now - this.intervalStart);
    this.intervalStart = now;
    this.busyMs = 0;
    return {
      requests: this.requests,
      exceptions: this.exceptions,
      harakiriCount: this.harakiriCount,
      tx: this.tx,
      avgRtUs: Math.round(this.avgRtUs),
      runningTimeUs: Math.round(this.runningTimeUs),
      inflight: this.running.size,
      busy: Math.min(1, busy / span),
      rss,
      byStatus: { ...this.byStatus },
    };
  }

  runningList(): RunningRequest[] {
    return [...this.running].map(({ method, uri, since }) => ({ method, uri, since }));
  }
}
