/**
 * The stats JSON, with uWSGI's field names so uwsgitop and existing exporters keep working.
 * Built by the master from what each worker last reported.
 */

export interface StatsSocket {
  name: string;
  proto: string;
  queue: number;
  max_queue: number;
  shared: number;
  can_offload: number;
}

export interface StatsWorker {
  id: number;
  pid: number;
  accepting: number;
  requests: number;
  delta_requests: number;
  exceptions: number;
  harakiri_count: number;
  signals: number;
  signal_queue: number;
  status: 'idle' | 'busy' | 'cheap';
  rss: number;
  vsz: number;
  running_time: number;
  last_spawn: number;
  respawn_count: number;
  tx: number;
  avg_rt: number;
  /** tsgi's own: tsgi.waitUntil tasks still running, and WebSockets open. */
  background: number;
  websockets: number;
  /** tsgi: 1 when uwsgi and plain HTTP connections are served on their libuv handle (the fast transport). */
  fast_transport: number;
  /** tsgi: why the fast transport is off ('' when on). */
  fast_transport_off: string;
  /** tsgi: connections whose request was in the socket at accept, read without epoll. */
  accept_reads: number;
  apps: Array<Record<string, unknown>>;
  cores: Array<Record<string, unknown>>;
}

export interface StatsDocument {
  version: string;
  listen_queue: number;
  listen_queue_errors: number;
  signal_queue: number;
  load: number;
  pid: number;
  uid: number;
  gid: number;
  cwd: string;
  locks: unknown[];
  sockets: StatsSocket[];
  workers: StatsWorker[];
}

/** The keys a stats document must have (the contract in issue #4), for tests and tools. */
export const STATS_KEYS = [
  'version',
  'pid',
  'uid',
  'gid',
  'cwd',
  'listen_queue',
  'listen_queue_errors',
  'load',
  'sockets',
  'workers',
] as const;
export const STATS_SOCKET_KEYS = ['name', 'proto', 'queue', 'max_queue'] as const;
export const STATS_WORKER_KEYS = [
  'id',
  'pid',
  'accepting',
  'requests',
  'delta_requests',
  'exceptions',
  'harakiri_count',
  'status',
  'rss',
  'vsz',
  'running_time',
  'last_spawn',
  'respawn_count',
  'tx',
  'avg_rt',
] as const;

/** One core per worker (a Node worker is one event loop); uwsgitop reads `cores` when present. */
export function coreOf(requests: number, inRequest: boolean): Record<string, unknown> {
  return {
    id: 0,
    requests,
    static_requests: 0,
    routed_requests: 0,
    offloaded_requests: 0,
    write_errors: 0,
    read_errors: 0,
    in_request: inRequest ? 1 : 0,
    vars: [],
    req_info: {},
  };
}
