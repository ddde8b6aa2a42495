/**
 * The gateway's per-request JS work on the uwsgi path, without sockets, step by step (tinybench):
 * what nginx → tsgi costs before a byte is written, next to the server CPU per request that the
 * load scenarios measure. Imports gateway internals read-only; each step is what
 * gateway/server/uwsgi-connection.ts does for one request, on the packet nginx sends for the
 * bench's `GET /`.
 */
import { Bench } from 'tinybench';
import { type App, createErrors, createInput, runApp } from 'tsgi';
import { createLogger } from '../../../gateway/logging/logger.js';
import { environFromVars } from '../../../gateway/server/uwsgi-environ.js';
import { writeResponse } from '../../../gateway/server/uwsgi-response.js';
import { decodeVars, encodePacket, PacketReader } from '../../../gateway/uwsgi/index.js';
import { median } from '../lib/stats.js';
import type { BenchRow, BenchRunOptions } from '../lib/types.js';
import hello from './apps/hello.js';

/** What nginx 1.22 with /etc/nginx/uwsgi_params sends for autocannon's `GET /`. */
const NGINX_VARS: [string, string][] = [
  ['QUERY_STRING', ''],
  ['REQUEST_METHOD', 'GET'],
  ['CONTENT_TYPE', ''],
  ['CONTENT_LENGTH', ''],
  ['REQUEST_URI', '/'],
  ['PATH_INFO', '/'],
  ['DOCUMENT_ROOT', '/tmp/tsgi-bench-hello-1w-abcdef/nginx-1/html'],
  ['SERVER_PROTOCOL', 'HTTP/1.1'],
  ['REQUEST_SCHEME', 'http'],
  ['REMOTE_ADDR', '127.0.0.1'],
  ['REMOTE_PORT', '51234'],
  ['SERVER_PORT', '41235'],
  ['SERVER_NAME', ''],
  ['HTTP_HOST', '127.0.0.1'],
  ['HTTP_HOST', '127.0.0.1:41235'],
];

const PACKET = Buffer.from(encodePacket(NGINX_VARS));
const log = createLogger({ disableLogging: true, write: () => {} });
const sink = { write: (_b: Uint8Array) => true, waitDrain: async () => true, closed: false };

function decodeLatin1(bytes: Uint8Array, start: number, end: number): string {
  return (bytes as Buffer).toString('latin1', start, end);
}

function readVars() {
  const result = new PacketReader({ bufferSize: 65535 }).push(PACKET);
  if (!result) throw new Error('packet not complete');
  return { packet: result.packet, vars: decodeVars(result.packet.block, 1000, decodeLatin1) };
}

function environ() {
  const { packet, vars } = readVars();
  return environFromVars(vars, {
    modifier1: packet.modifier1,
    modifier2: packet.modifier2,
    multiprocess: false,
    errors: createErrors((line) => log.error(line)),
  }).environ;
}

async function wholeRequest(app: App): Promise<void> {
  const env = environ();
  env['wsgi.input'] = createInput(undefined);
  const response = await runApp(app, env);
  await writeResponse(sink, response, false, log);
}

/** Each step includes the ones before it, so the differences are the cost of one step. */
const STEPS: [string, () => unknown][] = [
  ['1 read header + decode vars', readVars],
  ['2 + environ', environ],
  [
    '3 + runApp (hello)',
    async () => {
      const env = environ();
      env['wsgi.input'] = createInput(undefined);
      await runApp(hello, env);
    },
  ],
  ['4 + serialize + write (whole request, no I/O)', () => wholeRequest(hello)],
];

export async function run(options: BenchRunOptions = {}): Promise<BenchRow[]> {
  const rounds = options.smoke ? 1 : (options.rounds ?? 3);
  const timeMs = options.smoke ? 50 : Math.min(options.duration ?? 1, 2) * 1000;
  await wholeRequest(hello); // fails loudly if the internals changed shape
  const hz = new Map<string, number[]>(STEPS.map(([n]) => [n, []]));
  const p50 = new Map<string, number[]>(STEPS.map(([n]) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
    const steps = round % 2 ? [...STEPS].reverse() : STEPS;
    for (const [name, fn] of steps) bench.add(name, fn);
    await bench.run();
    for (const [name] of STEPS) {
      const r = bench.getTask(name)?.result as
        | { latency?: { p50: number }; throughput?: { mean: number } }
        | undefined;
      if (!r?.latency || !r.throughput) throw new Error(`hot-path: ${name} did not run`);
      hz.get(name)!.push(r.throughput.mean);
      p50.get(name)!.push(r.latency.p50);
    }
  }
  let previousUs = 0;
  return STEPS.map(([name]) => {
    const rate = median(hz.get(name)!);
    const us = 1e6 / rate;
    const step = us - previousUs;
    previousUs = us;
    return {
      scenario: 'hot-path',
      name,
      tool: 'tinybench',
      rps: rate,
      p50Ms: median(p50.get(name)!),
      p99Ms: null,
      errors: 0,
      baseline: null,
      ratio: null,
      rounds: hz.get(name)!,
      note: `${us.toFixed(1)} µs/request, this step ${step.toFixed(1)} µs`,
    };
  });
}
