/** The stats document as Prometheus text exposition (version 0.0.4), for `/metrics`. */
import type { StatsDocument } from './document.js';

function line(
  out: string[],
  name: string,
  help: string,
  type: string,
  samples: Array<[string, number]>,
): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
}

export function renderPrometheus(
  doc: StatsDocument,
  byStatus: Record<string, number> = {},
): string {
  const out: string[] = [];
  const w = (id: number) => `{worker="${id}"}`;
  line(out, 'tsgi_workers', 'Worker processes by status.', 'gauge', [
    ['{status="idle"}', doc.workers.filter((x) => x.status === 'idle').length],
    ['{status="busy"}', doc.workers.filter((x) => x.status === 'busy').length],
  ]);
  line(
    out,
    'tsgi_listen_queue',
    'Connections waiting in the listen queue (TCP sockets).',
    'gauge',
    [['', doc.listen_queue]],
  );
  line(out, 'tsgi_requests_in_flight', 'Requests being served now.', 'gauge', [['', doc.load]]);
  line(
    out,
    'tsgi_requests_total',
    'Requests served, by response status class (all workers since the master started).',
    'counter',
    Object.entries(byStatus).map(([cls, n]) => [`{status="${cls}"}`, n]),
  );
  line(
    out,
    'tsgi_worker_requests_total',
    'Requests served by the current worker in each slot.',
    'counter',
    doc.workers.map((x) => [w(x.id), x.requests]),
  );
  line(
    out,
    'tsgi_worker_exceptions_total',
    'App exceptions.',
    'counter',
    doc.workers.map((x) => [w(x.id), x.exceptions]),
  );
  line(
    out,
    'tsgi_worker_harakiri_total',
    'Requests ended by harakiri.',
    'counter',
    doc.workers.map((x) => [w(x.id), x.harakiri_count]),
  );
  line(
    out,
    'tsgi_worker_respawns_total',
    'Times the worker slot was respawned.',
    'counter',
    doc.workers.map((x) => [w(x.id), x.respawn_count]),
  );
  line(
    out,
    'tsgi_worker_tx_bytes_total',
    'Response body bytes.',
    'counter',
    doc.workers.map((x) => [w(x.id), x.tx]),
  );
  line(
    out,
    'tsgi_worker_rss_bytes',
    'Resident memory.',
    'gauge',
    doc.workers.map((x) => [w(x.id), x.rss]),
  );
  line(
    out,
    'tsgi_worker_avg_response_seconds',
    'Moving average of the response time.',
    'gauge',
    doc.workers.map((x) => [w(x.id), x.avg_rt / 1e6]),
  );
  return `${out.join('\n')}\n`;
}
