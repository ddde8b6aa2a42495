/**
 * docs/samples/stats.json and metrics.prom (shown in docs/stats.md) match what a running gateway
 * serves now: same keys and value types, same metric names. Values differ run to run (pids,
 * memory); regenerate with scripts/gen-stats-samples.ts when the shape changes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { STATS_KEYS, STATS_SOCKET_KEYS, STATS_WORKER_KEYS } from '../../gateway/stats/document.js';
import { ROOT } from '../deploy/lib/tsgi-cli.js';
import {
  collectStatsSamples,
  METRICS_SAMPLE,
  metricTypes,
  STATS_JSON_SAMPLE,
  type StatsSamples,
  shapeOf,
} from './lib/stats-samples.js';

const sampleJson = JSON.parse(readFileSync(join(ROOT, STATS_JSON_SAMPLE), 'utf8'));
const sampleMetrics = readFileSync(join(ROOT, METRICS_SAMPLE), 'utf8');

describe('stats samples in docs/stats.md', () => {
  let live: StatsSamples;
  before(async () => {
    live = await collectStatsSamples(4);
  });

  it('the JSON sample has the shape a running gateway serves', () => {
    assert.deepEqual(shapeOf(sampleJson), shapeOf(JSON.parse(live.json)));
  });

  it('the JSON sample has the uWSGI field names uwsgitop reads', () => {
    for (const k of STATS_KEYS) assert.ok(k in sampleJson, k);
    for (const k of STATS_SOCKET_KEYS) assert.ok(k in sampleJson.sockets[0], `sockets[].${k}`);
    assert.equal(sampleJson.workers.length, 2);
    for (const k of STATS_WORKER_KEYS) assert.ok(k in sampleJson.workers[0], `workers[].${k}`);
    assert.ok(sampleJson.workers.every((w: { requests: number }) => w.requests > 0));
  });

  it('the Prometheus sample declares the metrics a running gateway serves', () => {
    assert.deepEqual(metricTypes(sampleMetrics), metricTypes(live.metrics));
    assert.match(sampleMetrics, /^tsgi_requests_total\{status="2xx"\} \d+$/m);
  });

  it('the shape check can fail', () => {
    assert.notDeepEqual(shapeOf({ a: 1 }), shapeOf({ a: '1' }));
    assert.notDeepEqual(metricTypes('# TYPE a gauge\n'), metricTypes('# TYPE b gauge\n'));
  });
});
