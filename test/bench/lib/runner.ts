/**
 * Runs one load scenario: start every target, check it answers, warm it up, then N rounds in
 * alternating order, then stop everything (also on error). Produces one row per target.
 */
import { runAutocannon } from './autocannon.js';
import type { GatewayInstall } from './backends.js';
import { withRefTargets } from './baseline-ref.js';
import { checkEndpoint, makeTmpDir, sleep } from './net.js';
import { groupCpuMs, type Tracked } from './processes.js';
import type { LoadScenario, Requirement, Target } from './scenario.js';
import { median, medianOrNull, pairedRatio, roundOrder } from './stats.js';
import type { BenchRow, LoadRequest, LoadResult } from './types.js';
import { runWrk, wrkInstalled } from './wrk.js';

export type ToolChoice = 'auto' | 'wrk' | 'autocannon';

export interface LoadOptions {
  durationS: number;
  warmupS: number;
  rounds: number;
  connections: number;
  tool: ToolChoice;
  /** Which requirements this machine meets. */
  available: Record<Requirement, boolean>;
  keepTmp: boolean;
  log: (line: string) => void;
  /** `--baseline-ref`: every gateway target also runs on this gateway, as an `@REF` row. */
  ref?: GatewayInstall | undefined;
}

export function pickTool(
  choice: ToolChoice,
  fast: boolean,
  haveWrk: boolean,
): 'wrk' | 'autocannon' {
  if (choice === 'wrk' && haveWrk) return 'wrk';
  if (choice === 'auto' && fast && haveWrk) return 'wrk';
  return 'autocannon';
}

/** What rowsFor needs to know about one target's run. */
export interface RunState {
  target: { name: string; note?: string; compareTo?: string };
  url: string | null;
  note?: string;
  results: (LoadResult | null)[];
  /** Server CPU µs per request, per round. */
  cpu?: (number | null)[];
}

interface Running extends RunState {
  target: Target;
  url: string | null;
  note?: string;
  results: (LoadResult | null)[];
  cpu: (number | null)[];
  servers: Tracked[];
}

function serversCpuMs(servers: readonly Tracked[]): number | null {
  let total = 0;
  for (const s of servers) {
    const ms = groupCpuMs(s.pid);
    if (ms === null) return null;
    total += ms;
  }
  return servers.length > 0 ? total : null;
}

function load(
  tool: 'wrk' | 'autocannon',
  url: string,
  request: LoadRequest,
  durationS: number,
  dir: string,
  label: string,
): Promise<LoadResult> {
  if (tool === 'wrk') {
    return runWrk({ url, request, durationS, threads: 2, tmpDir: dir, label });
  }
  return runAutocannon({ url, request, durationS, label });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function runLoadScenario(s: LoadScenario, o: LoadOptions): Promise<BenchRow[]> {
  const tool = pickTool(o.tool, s.fast ?? false, wrkInstalled());
  const request: LoadRequest = { ...s.request, connections: o.connections };
  const tmp = makeTmpDir(`tsgi-bench-${s.name}-`);
  const owned: Tracked[] = [];
  let servers: Tracked[] = [];
  const own = (p: Tracked, role: 'server' | 'proxy' = 'server'): Tracked => {
    owned.push(p);
    if (role === 'server') servers.push(p);
    return p;
  };
  const ctx = { dir: tmp.dir, own };
  const running: Running[] = [];
  o.log(`\n== ${s.name}: ${s.title} (${tool}, ${o.rounds}×${o.durationS}s, c=${o.connections})`);
  try {
    for (const target of o.ref ? withRefTargets(s.targets, o.ref) : s.targets) {
      const missing = target.requires.filter((r) => !o.available[r]);
      if (missing.length > 0) {
        running.push({
          target,
          url: null,
          note: `skipped: no ${missing.join(', ')}`,
          results: [],
          cpu: [],
          servers: [],
        });
        o.log(`   ${target.name}: skipped (no ${missing.join(', ')})`);
        continue;
      }
      servers = [];
      try {
        const url = new URL(s.request.path, await target.start(ctx)).href;
        await checkEndpoint(url, {
          method: s.request.method,
          bodyBytes: s.request.bodyBytes,
          expectBytes: s.expectBytes,
        });
        // A server that died after its address answered (say, another process held the socket)
        // would leave someone else's server being measured under its name.
        const dead = owned.find((p) => !p.alive());
        if (dead) throw new Error(`${dead.name} exited after start\n${dead.tail()}`);
        running.push({ target, url, results: [], cpu: [], servers });
      } catch (err) {
        const msg = (err as Error).message.split('\n')[0] ?? String(err);
        running.push({
          target,
          url: null,
          note: `failed to start: ${msg}`,
          results: [],
          cpu: [],
          servers: [],
        });
        o.log(`   ${target.name}: FAILED to start: ${(err as Error).message}`);
      }
    }
    const live = running.filter((r) => r.url !== null);
    if (o.warmupS > 0) {
      for (const r of live) {
        await load(tool, r.url!, request, o.warmupS, tmp.dir, `warm-up ${r.target.name}`).catch(
          () => null,
        );
      }
    }
    for (const [round, order] of roundOrder(live.length, o.rounds).entries()) {
      for (const i of order) {
        const r = live[i]!;
        await sleep(500); // let TIME_WAIT sockets and the previous server's CPU settle
        const label = `${s.name} round ${round + 1}/${o.rounds} ${r.target.name}`;
        try {
          const cpuBefore = serversCpuMs(r.servers);
          const res = await load(tool, r.url!, request, o.durationS, tmp.dir, label);
          const cpuAfter = serversCpuMs(r.servers);
          r.results[round] = res;
          r.cpu[round] =
            cpuBefore !== null && cpuAfter !== null && res.requests > 0
              ? ((cpuAfter - cpuBefore) * 1000) / res.requests
              : null;
          o.log(
            `   r${round + 1} ${r.target.name.padEnd(34)} ${fmt(res.rps).padStart(8)} req/s  p50 ${res.p50Ms ?? '-'} ms  p99 ${res.p99Ms ?? '-'} ms  errors ${res.errors}  server ${r.cpu[round] === null || r.cpu[round] === undefined ? '-' : Math.round(r.cpu[round]!)} µs CPU/req`,
          );
        } catch (err) {
          r.results[round] = null;
          r.note = `load failed: ${(err as Error).message.split('\n')[0]}`;
          o.log(`   r${round + 1} ${r.target.name}: load failed: ${(err as Error).message}`);
        }
      }
    }
  } finally {
    await Promise.all(owned.map((p) => p.stop()));
    if (!o.keepTmp) tmp.remove();
    else o.log(`   kept ${tmp.dir}`);
  }
  return rowsFor(s.name, tool, running);
}

/** Turns per-round results into rows; the first target that ran is the baseline. */
export function rowsFor(
  scenario: string,
  tool: BenchRow['tool'],
  running: readonly RunState[],
): BenchRow[] {
  const ran = (r: RunState) => r.url !== null && r.results.some((x) => x);
  const first = running.find(ran);
  const rpsOf = (r: RunState) => r.results.map((x) => (x ? x.rps : Number.NaN));
  return running.map((r) => {
    const ok = r.results.filter((x): x is LoadResult => x !== null && x !== undefined);
    const rounds = rpsOf(r);
    const wanted = r.target.compareTo;
    // A compareTo naming a target of another scenario falls back to the first; one that is here
    // but did not run leaves the ratio empty rather than silently comparing with something else.
    const present = wanted !== undefined && running.some((x) => x.target.name === wanted);
    const base = present ? running.find((x) => x.target.name === wanted && ran(x)) : first;
    const isBase = r === base;
    const note = [r.target.note, r.note].filter(Boolean).join('; ');
    return {
      scenario,
      name: r.target.name,
      tool,
      rps: ok.length > 0 ? median(ok.map((x) => x.rps)) : Number.NaN,
      p50Ms: medianOrNull(ok.map((x) => x.p50Ms)),
      p99Ms: medianOrNull(ok.map((x) => x.p99Ms)),
      errors: ok.reduce((n, x) => n + x.errors, 0),
      serverCpuUsPerReq: medianOrNull(r.cpu ?? []),
      baseline: isBase || !base ? null : base.target.name,
      ratio: isBase ? 1 : base && ok.length > 0 ? pairedRatio(rounds, rpsOf(base)) : null,
      rounds,
      ...(note ? { note } : {}),
    };
  });
}
