/**
 * Micro-benchmark: in-process invocations per second of `handle(app)` from tsgi/aws-lambda against
 * Hono's `hono/aws-lambda` `handle` with an equivalent Hono app, on the same sample events (REST,
 * HTTP API, ALB, Function URL). Each op is one full invocation: event in, result object out.
 * Rounds alternate which side runs first; the ratio is the median of per-round ops/s ratios.
 * Goal: ≥ 2× Hono. `npm run bench` calls run(); `node --conditions=source --import tsx
 * test/bench/lambda.ts [--smoke]` runs it alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { handle as honoHandle } from 'hono/aws-lambda';
import { Bench } from 'tinybench';
import type { App } from 'tsgi';
import { handle } from 'tsgi/aws-lambda';
import type { BenchRow, BenchRunOptions } from './lib/types.js';

const EVENTS_DIR = new URL('../adapters/aws-lambda/fixtures/events/', import.meta.url).pathname;

const EVENTS: Array<[string, string]> = [
  ['REST GET', 'apigw-v1-named-stage.json'],
  ['HTTP API POST', 'apigw-v2-http-api-cookies-multi-query.json'],
  ['ALB GET', 'alb-single-value-headers.json'],
  ['Function URL POST', 'function-url-captured-headers-cookies-text-body.json'],
];

const CONTEXT = {
  awsRequestId: 'bench',
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
  memoryLimitInMB: '128',
  logGroupName: '/aws/lambda/bench',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

/** The same answer on both sides: a text greeting naming the path, and one cookie. */
const tsgiApp: App = (environ, startResponse) => {
  startResponse('200 OK', [
    ['Content-Type', 'text/plain; charset=UTF-8'],
    ['Set-Cookie', 'session=abc; Path=/; HttpOnly'],
  ]);
  return [`Hello, ${environ.PATH_INFO}!`];
};

const hono = new Hono();
hono.all('*', (c) => {
  c.header('Set-Cookie', 'session=abc; Path=/; HttpOnly');
  return c.text(`Hello, ${c.req.path}!`);
});

type Invoke = (event: unknown) => Promise<unknown>;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function run(options: BenchRunOptions = {}): Promise<BenchRow[]> {
  const rounds = options.smoke ? 1 : (options.rounds ?? 5);
  const timeMs = options.smoke ? 50 : (options.duration ?? 1) * 1000;
  const ours = handle(tsgiApp);
  const theirs = honoHandle(hono);
  const invokeOurs: Invoke = (event) => ours(event as never, CONTEXT);
  const invokeTheirs: Invoke = (event) => theirs(event as never, CONTEXT as never);
  const rows: BenchRow[] = [];
  for (const [label, file] of EVENTS) {
    const event = JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8')) as unknown;
    const scenario = `lambda: ${label} (${file})`;
    // Both must answer the same status and body, or the comparison means nothing.
    const a = (await invokeOurs(event)) as { statusCode: number; body: string };
    const b = (await invokeTheirs(event)) as { statusCode: number; body: string };
    if (a.statusCode !== b.statusCode || a.body !== b.body) {
      throw new Error(
        `${scenario}: tsgi answered ${a.statusCode} ${a.body}, Hono ${b.statusCode} ${b.body}`,
      );
    }
    const hz = { hono: [] as number[], tsgi: [] as number[] };
    const p50 = { hono: [] as number[], tsgi: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
      const tasks: Array<[keyof typeof hz, () => Promise<unknown>]> = [
        ['hono', () => invokeTheirs(event)],
        ['tsgi', () => invokeOurs(event)],
      ];
      if (round % 2) tasks.reverse();
      for (const [name, fn] of tasks) bench.add(name, fn);
      await bench.run();
      for (const name of ['hono', 'tsgi'] as const) {
        const r = bench.getTask(name)?.result as
          | { latency?: { p50: number }; throughput?: { mean: number } }
          | undefined;
        if (!r?.latency || !r.throughput) throw new Error(`${scenario}: task ${name} did not run`);
        hz[name].push(r.throughput.mean);
        p50[name].push(r.latency.p50);
      }
    }
    const base = 'Hono handle (hono/aws-lambda)';
    const ratio = median(hz.tsgi.map((x, i) => x / hz.hono[i]!));
    rows.push({
      scenario,
      name: base,
      tool: 'tinybench',
      rps: median(hz.hono),
      p50Ms: median(p50.hono),
      p99Ms: null,
      errors: 0,
      baseline: null,
      ratio: null,
      rounds: hz.hono,
    });
    rows.push({
      scenario,
      name: 'tsgi handle (tsgi/aws-lambda)',
      tool: 'tinybench',
      rps: median(hz.tsgi),
      p50Ms: median(p50.tsgi),
      p99Ms: null,
      errors: 0,
      baseline: base,
      ratio,
      rounds: hz.tsgi,
      note: `${ratio.toFixed(2)}× Hono's invocations per second (goal ≥ 2×)`,
    });
  }
  return rows;
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const rows = await run({ smoke: process.argv.includes('--smoke') });
  for (const row of rows) {
    const us = ((row.p50Ms ?? 0) * 1000).toFixed(2);
    console.log(
      `${row.scenario.padEnd(72)} ${row.name.padEnd(30)} ${row.rps.toFixed(0).padStart(8)} ops/s  p50 ${us} µs  ${row.note ?? ''}`,
    );
  }
}
