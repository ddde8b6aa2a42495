/**
 * The in-process comparison shared by test/bench/fetch.ts (toFetch) and test/bench/workers.ts
 * (toWorker), so both measure the same operation on every side: build the scenario's Request (the
 * same URL and headers), call the handler, read the whole response body with arrayBuffer(). Each
 * round runs the handlers in alternating order (forward, then reversed), first under tinybench
 * (wall-time p50), then for the same time in CPU time per op (process.cpuUsage: user + system, GC
 * threads included), the handlers taking turns in chunks of 1000 ops: on a shared machine a burst
 * of load from another process then hits every handler alike, where a whole second per handler
 * (tinybench's wall time) lets it land on one side. Figures are medians over rounds; ratios are
 * medians of per-round ratios. The CPU ratio is the one to read on a busy machine.
 */
import { Bench } from 'tinybench';
import type { App } from 'tsgi';
import { median, pairedRatio } from './stats.js';

export type Handler = (request: Request) => Promise<Response>;

export interface InProcessScenario {
  name: string;
  request: () => Request;
  /** A raw Fetch handler answering the same bytes as `app`. */
  raw: Handler;
  app: App;
}

/**
 * The headers a browser request carries through a CDN edge. A request without headers would
 * hide the environ's per-header work, which a raw handler that reads no header never pays.
 */
export const REQUEST_HEADERS: [string, string][] = [
  ['accept', '*/*'],
  ['accept-encoding', 'gzip, br'],
  ['cf-connecting-ip', '203.0.113.7'],
  ['cf-ipcountry', 'NL'],
  ['cf-ray', '8f1e2d3c4b5a6978-AMS'],
  ['cf-visitor', '{"scheme":"https"}'],
  ['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) bench'],
  ['x-forwarded-proto', 'https'],
  ['x-real-ip', '203.0.113.7'],
];

const HELLO = new TextEncoder().encode('Hello, World!');
const KB16 = new Uint8Array(16 * 1024).fill(120);
const textHeaders = { 'content-type': 'text/plain' };

/** hello, 16 KiB streamed in 4 chunks, POST 1 KiB echo; `prefix` names the bench. */
export function inProcessScenarios(prefix: string): InProcessScenario[] {
  return [
    {
      name: `${prefix}: hello (13 B)`,
      request: () => new Request('https://example.com/', { headers: REQUEST_HEADERS }),
      raw: async () => new Response(HELLO, { headers: textHeaders }),
      app: (_environ, startResponse) => {
        startResponse('200 OK', [['content-type', 'text/plain']]);
        return [HELLO];
      },
    },
    {
      name: `${prefix}: 16 KiB in 4 streamed chunks`,
      request: () => new Request('https://example.com/big', { headers: REQUEST_HEADERS }),
      raw: async () => {
        let i = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (i++ < 4) controller.enqueue(KB16.subarray(0, 4096));
            else controller.close();
          },
        });
        return new Response(body, { headers: textHeaders });
      },
      app: (_environ, startResponse) => {
        startResponse('200 OK', [['content-type', 'text/plain']]);
        return (function* () {
          for (let i = 0; i < 4; i++) yield KB16.subarray(0, 4096);
        })();
      },
    },
    {
      name: `${prefix}: POST 1 KiB echo`,
      request: () =>
        new Request('https://example.com/echo', {
          method: 'POST',
          headers: REQUEST_HEADERS,
          body: KB16.subarray(0, 1024),
        }),
      raw: async (request) => new Response(await request.arrayBuffer(), { headers: textHeaders }),
      app: async (environ, startResponse) => {
        const body = await environ['wsgi.input'].read();
        startResponse('200 OK', [['content-type', 'text/plain']]);
        return [body];
      },
    },
  ];
}

async function once(handler: Handler, request: () => Request): Promise<void> {
  const res = await handler(request());
  await res.arrayBuffer();
}

/** Throws unless every handler answers the same bytes: else the comparison means nothing. */
export async function checkSameBytes(
  scenario: InProcessScenario,
  handlers: Record<string, Handler>,
): Promise<void> {
  let first: Uint8Array | undefined;
  for (const [name, handler] of Object.entries(handlers)) {
    const bytes = new Uint8Array(await (await handler(scenario.request())).arrayBuffer());
    if (!first) first = bytes;
    else if (bytes.length !== first.length || bytes.some((x, i) => x !== first![i])) {
      throw new Error(`${scenario.name}: ${name} answers other bytes than the raw handler`);
    }
  }
}

const CHUNK_OPS = 1000;

/** CPU microseconds per op for `ops` ops. */
async function cpuChunk(handler: Handler, request: () => Request, ops: number): Promise<number> {
  const cpu = process.cpuUsage();
  for (let i = 0; i < ops; i++) await once(handler, request);
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / ops;
}

/**
 * CPU µs per op of each handler over about `ms` of wall time per handler: short chunks of
 * CHUNK_OPS ops, the handlers taking turns (order flipped every turn), so a burst of load from
 * another process lands on all of them alike; the median of each handler's chunks.
 */
async function cpuInterleaved(
  handlers: Record<string, Handler>,
  names: string[],
  request: () => Request,
  ms: number,
): Promise<Record<string, number>> {
  const chunks: Record<string, number[]> = {};
  for (const name of names) chunks[name] = [];
  const end = performance.now() + ms * names.length;
  for (let turn = 0; turn === 0 || performance.now() < end; turn++) {
    const order = turn % 2 ? [...names].reverse() : names;
    for (const name of order) {
      chunks[name]!.push(await cpuChunk(handlers[name]!, request, CHUNK_OPS));
    }
  }
  const out: Record<string, number> = {};
  for (const name of names) out[name] = median(chunks[name]!);
  return out;
}

/** Per handler, one value per round. */
export interface Measured {
  /** Wall-time p50 per op, ms (tinybench). */
  p50: number[];
  /** Ops per second (tinybench). */
  hz: number[];
  /** CPU µs per op. */
  cpuUs: number[];
}

export async function measureRounds(
  scenario: InProcessScenario,
  handlers: Record<string, Handler>,
  rounds: number,
  timeMs: number,
): Promise<Record<string, Measured>> {
  const out: Record<string, Measured> = {};
  for (const name of Object.keys(handlers)) out[name] = { p50: [], hz: [], cpuUs: [] };
  for (let round = 0; round < rounds; round++) {
    const names = Object.keys(handlers);
    if (round % 2) names.reverse();
    const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
    for (const name of names) bench.add(name, () => once(handlers[name]!, scenario.request));
    await bench.run();
    for (const name of names) {
      const r = bench.getTask(name)?.result as
        | { latency?: { p50: number }; throughput?: { mean: number } }
        | undefined;
      if (!r?.latency || !r.throughput) throw new Error(`${scenario.name}: ${name} did not run`);
      out[name]!.p50.push(r.latency.p50);
      out[name]!.hz.push(r.throughput.mean);
    }
    // The same handlers again in CPU time, taking turns in short chunks.
    const cpu = await cpuInterleaved(handlers, names, scenario.request, timeMs);
    for (const name of names) out[name]!.cpuUs.push(cpu[name]!);
  }
  return out;
}

/** `time 1.08×, CPU 1.12×`: paired medians of the target's cost over the baseline's. */
export function costRatios(target: Measured, base: Measured): { time: number; cpu: number } {
  return {
    time: pairedRatio(target.p50, base.p50) ?? Number.NaN,
    cpu: pairedRatio(target.cpuUs, base.cpuUs) ?? Number.NaN,
  };
}

export function ratioNote(target: Measured, base: Measured): string {
  const r = costRatios(target, base);
  return `time ${r.time.toFixed(3)}×, CPU ${r.cpu.toFixed(3)}× the raw handler (goal ≤ 1.1×); CPU ${median(target.cpuUs).toFixed(1)} vs ${median(base.cpuUs).toFixed(1)} µs/op`;
}
