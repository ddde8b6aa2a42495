import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatsDocument, StatsWorker } from '../../../gateway/stats/document.js';
import { renderTop } from '../../../gateway/stats/top.js';

function worker(id: number, requests: number): StatsWorker {
  return {
    id,
    pid: 1000 + id,
    accepting: 1,
    requests,
    delta_requests: 0,
    exceptions: 1,
    harakiri_count: 0,
    background: 0,
    websockets: 0,
    signals: 0,
    signal_queue: 0,
    status: 'idle',
    rss: 50 * 1048576,
    vsz: 0,
    running_time: 0,
    last_spawn: 0,
    respawn_count: 2,
    tx: 999,
    avg_rt: 1500,
    fast_transport: 1,
    fast_transport_off: '',
    accept_reads: 0,
    apps: [],
    cores: [],
  };
}

const doc = (requests: number[]): StatsDocument => ({
  version: '0.1.0',
  listen_queue: 3,
  listen_queue_errors: 0,
  signal_queue: 0,
  load: 0,
  pid: 42,
  uid: 0,
  gid: 0,
  cwd: '/',
  locks: [],
  sockets: [],
  workers: requests.map((r, i) => worker(i + 1, r)),
});

describe('gateway/stats/top', () => {
  it('renders one line per worker and the request rate since the previous document', () => {
    const text = renderTop(doc([30, 20]), doc([10, 20]), 2);
    const lines = text.split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /master pid 42 .* requests 50 \(10\.0\/s\) - listen queue 3/);
    assert.match(lines[2]!, /^\s+1\s+1001\s+30\s+1\s+0 idle\s+1\.5ms\s+50M\s+999\s+2$/);
  });
});
