// Writes docs/samples/stats.json and docs/samples/metrics.prom from a running gateway (a master
// with two workers; see test/docs/lib/stats-samples.ts), then the doc blocks that include them.
// Run: node --conditions=source --import tsx scripts/gen-stats-samples.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  collectStatsSamples,
  METRICS_SAMPLE,
  STATS_JSON_SAMPLE,
} from '../test/docs/lib/stats-samples.js';

const ROOT = new URL('..', import.meta.url).pathname;
const samples = await collectStatsSamples();
mkdirSync(dirname(join(ROOT, STATS_JSON_SAMPLE)), { recursive: true });
writeFileSync(join(ROOT, STATS_JSON_SAMPLE), samples.json);
writeFileSync(join(ROOT, METRICS_SAMPLE), samples.metrics);
console.log(`wrote ${STATS_JSON_SAMPLE} and ${METRICS_SAMPLE}; now run scripts/gen-doc-blocks.ts`);
