/**
 * Builds the stats document from the master's worker records (uWSGI's field names, see
 * stats/document.ts). `delta_requests` counts the requests since the previous document.
 */
import { coreOf, type StatsDocument, type StatsWorker } from '../stats/document.js';
import { tcpListenQueues } from '../stats/listen-queue.js';
import { readMemory } from '../stats/proc.js';
import type { BoundHandle } from './bind.js';
import type { WorkerHandle } from './worker-handle.js';

export function buildStatsDocument(
  records: Iterable<WorkerHandle>,
  handles: readonly BoundHandle[],
  options: { version: string; listen: number },
): StatsDocument {
  const queues = tcpListenQueues();
  const sockets = handles.map((b) => {
    const q = b.bound.type === 'tcp' ? queues.get(b.bound.port) : undefined;
    return {
      name: b.bound.type === 'unix' ? b.bound.path : `${b.bound.host}:${b.bound.port}`,
      proto: b.spec.kind === 'http' ? 'http' : b.spec.kind === 'uwsgi-ssl' ? 'suwsgi' : 'uwsgi',
      queue: q?.queue ?? 0,
      max_queue: q?.maxQueue ?? options.listen,
      shared: 0,
      can_offload: 0,
    };
  });
  const workers: StatsWorker[] = [...records]
    .sort((a, b) => a.id - b.id || a.age - b.age)
    .map((w) => {
      const mem = readMemory(w.pid);
      const delta = w.counters.requests - w.requestsAtLastStats;
      w.requestsAtLastStats = w.counters.requests;
      return {
        id: w.id,
        pid: w.pid,
        accepting: w.state === 'ready' ? 1 : 0,
        requests: w.counters.requests,
        delta_requests: delta,
        exceptions: w.counters.exceptions,
        harakiri_count: w.counters.harakiriCount,
        signals: 0,
        signal_queue: 0,
        status: w.state !== 'ready' ? 'cheap' : w.counters.inflight > 0 ? 'busy' : 'idle',
        rss: mem.rss,
        vsz: mem.vsz,
        running_time: w.counters.runningTimeUs,
        last_spawn: Math.floor(w.spawnedAt / 1000),
        respawn_count: w.respawnCount,
        tx: w.counters.tx,
        avg_rt: w.counters.avgRtUs,
        background: w.counters.background ?? 0,
        websockets: w.counters.websockets ?? 0,
        fast_transport: w.counters.fastTransport?.on ? 1 : 0,
        fast_transport_off: w.counters.fastTransport?.reason ?? '',
        accept_reads: w.counters.fastTransport?.acceptReads ?? 0,
        apps: [
          {
            id: 0,
            modifier1: 0,
            mountpoint: '',
            startup_time: w.readyAt ? Math.max(0, Math.round((w.readyAt - w.spawnedAt) / 1000)) : 0,
            requests: w.counters.requests,
            exceptions: w.counters.exceptions,
            chdir: '',
          },
        ],
        cores: [coreOf(w.counters.requests, w.counters.inflight > 0)],
      };
    });
  return {
    version: options.version,
    listen_queue: sockets.reduce((a, s) => a + s.queue, 0),
    listen_queue_errors: 0,
    signal_queue: 0,
    load: workers.reduce((a, w) => a + (w.status === 'busy' ? 1 : 0), 0),
    pid: process.pid,
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    cwd: process.cwd(),
    locks: [],
    sockets,
    workers,
  };
}
