/** wrk (C, multi-threaded) as a load generator: runs it and parses its text report. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTracked } from './processes.js';
import { showProgress } from './progress.js';
import type { LoadRequest, LoadResult } from './types.js';

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };

/** `4.72ms` → 4.72, `850.00us` → 0.85, `1.20s` → 1200. */
export function parseWrkTime(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`wrk: cannot read time ${JSON.stringify(text)}`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** Parses `wrk --latency` output. Throws when the summary lines are missing. */
export function parseWrk(output: string): LoadResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)/.exec(output);
  const rate = /Requests\/sec:\s+([\d.]+)([kKMG]?)/.exec(output);
  if (!total || !rate) throw new Error(`wrk: no summary in output:\n${output}`);
  const requests = Number(total[1]);
  const durationS = (Number(total[2]) * UNIT_MS[total[3]!]!) / 1000;
  const rps = Number(rate[1]) * SIZE[rate[2]!]!;
  const pct = (p: string): number | null => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+(?:us|ms|s|m|h))\\s*$`, 'm').exec(output);
    return m ? parseWrkTime(m[1]!) : null;
  };
  let errors = 0;
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  if (sock) errors += Number(sock[1]) + Number(sock[2]) + Number(sock[3]) + Number(sock[4]);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  if (non2xx) errors += Number(non2xx[1]);
  return { rps, p50Ms: pct('50'), p99Ms: pct('99'), errors, requests, durationS };
}

let installed: boolean | undefined;
export function wrkInstalled(): boolean {
  installed ??= spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
  return installed;
}

/** A Lua script that makes wrk send the scenario's method and body. */
function luaScript(dir: string, req: LoadRequest): string | undefined {
  if (req.method === 'GET' && req.bodyBytes === 0) return undefined;
  const file = join(dir, `wrk-${req.method}-${req.bodyBytes}.lua`);
  const lines = [`wrk.method = "${req.method}"`];
  if (req.bodyBytes > 0) {
    lines.push(`wrk.body = string.rep("x", ${req.bodyBytes})`);
    lines.push('wrk.headers["Content-Type"] = "application/octet-stream"');
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export interface WrkRun {
  url: string;
  request: LoadRequest;
  durationS: number;
  threads: number;
  tmpDir: string;
  label: string;
}

export async function runWrk(run: WrkRun): Promise<LoadResult> {
  const script = luaScript(run.tmpDir, run.request);
  const args = [
    `-t${run.threads}`,
    `-c${Math.max(run.threads, run.request.connections)}`,
    `-d${run.durationS}s`,
    '--timeout',
    '5s',
    '--latency',
    ...(script ? ['-s', script] : []),
    run.url,
  ];
  const stop = showProgress(run.label, run.durationS);
  try {
    const { stdout, code } = await runTracked('wrk', args, (run.durationS + 30) * 1000);
    if (code !== 0) throw new Error(`wrk exited with ${code}:\n${stdout}`);
    return parseWrk(stdout);
  } finally {
    stop();
  }
}
