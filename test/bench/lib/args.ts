/** `npm run bench -- [flags]`: parsed here, no I/O, so the harness test can check it. */
import { parseArgs } from 'node:util';
import type { ToolChoice } from './runner.js';

export interface BenchArgs {
  durationS: number;
  rounds: number;
  warmupS: number;
  connections: number;
  /** Substrings of scenario names; empty = every scenario. */
  filters: string[];
  smoke: boolean;
  tool: ToolChoice;
  outDir: string;
  list: boolean;
  keepTmp: boolean;
  /** Start gateway processes with `--cpu-prof` into this dir. */
  cpuProfDir: string | undefined;
  /** An earlier result file to compare this run with. */
  compare: string | undefined;
  /** Run the gateway from source through tsx instead of compiling it once with tsc. */
  gatewaySource: boolean;
  /** A git ref whose gateway runs next to this tree's in every gateway scenario. */
  baselineRef: string | undefined;
  /** Longest wait, in seconds, for the 1-minute load average to settle before a scenario. */
  settleS: number;
  help: boolean;
}

export const USAGE = `npm run bench -- [options]
  --duration S      seconds of load per round (default 5; smoke 1)
  --rounds N        rounds per target, alternating order (default 3; smoke 1)
  --warmup S        warm-up seconds per target before round 1 (default 1; smoke 0)
  --connections N   client keep-alive connections (default 100; smoke 10)
  --filter A,B      only scenarios whose name contains A or B (repeatable); =A: named A exactly
  --tool T          auto | wrk | autocannon (auto: wrk for scenarios above ~50k req/s when installed)
  --smoke           tiny durations, one round, no thresholds (for CI)
  --compare FILE    change of each row against an earlier result file (bench-results/….json)
  --out DIR         where the JSON result goes (default bench-results)
  --cpu-prof DIR    run gateway processes under node --cpu-prof, profiles into DIR
  --gateway-source  run gateway/cli.ts through tsx (default: compile with tsc into a temp dir first)
  --baseline-ref R  also run the gateway of git ref R (built into .tmp/) as an "@R" row next to
                    each gateway row, and print now ÷ R for each (no scenario slower than before)
  --settle S        before each scenario wait up to S seconds for the 1-minute load average to
                    fall to 1.5 (default 90; smoke 0); rows that start above it are marked noisy
  --keep-tmp        keep each scenario's temp dir (configs, sockets, logs)
  --list            list the scenarios and exit`;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} must be a positive number, not ${text}`);
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      filter: { type: 'string', multiple: true },
      tool: { type: 'string' },
      smoke: { type: 'boolean' },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'keep-tmp': { type: 'boolean' },
      'gateway-source': { type: 'boolean' },
      compare: { type: 'string' },
      'baseline-ref': { type: 'string' },
      settle: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const smoke = values.smoke ?? false;
  const tool = (values.tool ?? 'auto') as ToolChoice;
  if (!['auto', 'wrk', 'autocannon'].includes(tool)) {
    throw new Error(`--tool must be auto, wrk or autocannon, not ${tool}`);
  }
  const warmup = values.warmup === '0' ? 0 : positive('warmup', values.warmup, smoke ? 0 : 1);
  return {
    durationS: positive('duration', values.duration, smoke ? 1 : 5),
    rounds: Math.round(positive('rounds', values.rounds, smoke ? 1 : 3)),
    warmupS: warmup,
    connections: Math.round(positive('connections', values.connections, smoke ? 10 : 100)),
    filters: (values.filter ?? []).flatMap((f) => f.split(',')).filter((f) => f !== ''),
    smoke,
    tool,
    outDir: values.out ?? 'bench-results',
    list: values.list ?? false,
    keepTmp: values['keep-tmp'] ?? false,
    cpuProfDir: values['cpu-prof'],
    gatewaySource: values['gateway-source'] ?? false,
    compare: values.compare,
    baselineRef: values['baseline-ref'],
    settleS: values.settle === '0' ? 0 : positive('settle', values.settle, smoke ? 0 : 90),
    help: values.help ?? false,
  };
}

/** A filter matches names that contain it; `=name` matches that name only. */
export function matchesFilter(name: string, filters: readonly string[]): boolean {
  return (
    filters.length === 0 ||
    filters.some((f) => (f.startsWith('=') ? name === f.slice(1) : name.includes(f)))
  );
}
