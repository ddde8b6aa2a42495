/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per file
 * group. Also a CLI: `node --import tsx test/bench/lib/cpuprofile.ts FILE... [--top N]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The profile without its first `skipMs` (module loading, tsx start-up), so shares describe the
 * server under load. Samples are dropped, not re-timed.
 */
export function withoutStartup(profile: CpuProfile, skipMs: number): CpuProfile {
  let t = 0;
  let first = 0;
  while (first < profile.timeDeltas.length && t < skipMs * 1000) {
    t += profile.timeDeltas[first] ?? 0;
    first++;
  }
  return {
    nodes: profile.nodes,
    samples: profile.samples.slice(first),
    timeDeltas: profile.timeDeltas.slice(first),
  };
}

export interface SelfTime {
  name: string;
  /** Microseconds. */
  selfUs: number;
  share: number;
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const m = /\/work\/[^/]+\/(.*)$/.exec(url.replace(/^file:\/\//, ''));
  if (m) return m[1]!;
  return url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, 'node_modules/');
}

/** A bucket for a frame: our source dir, node internals, a package, or V8's pseudo-frames. */
export function groupOf(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*/, 'node:internal/$1');
  if (url.startsWith('node_modules/')) return url.split('/').slice(0, 2).join('/');
  return url.split('/').slice(0, 2).join('/');
}

function selfTimes(profile: CpuProfile, key: (f: CallFrame) => string): SelfTime[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    const k = key(node.callFrame);
    totals.set(k, (totals.get(k) ?? 0) + dt);
    all += dt;
  });
  return [...totals.entries()]
    .map(([name, selfUs]) => ({ name, selfUs, share: all > 0 ? selfUs / all : 0 }))
    .sort((a, b) => b.selfUs - a.selfUs);
}

export function topFunctions(profile: CpuProfile): SelfTime[] {
  return selfTimes(profile, (f) => {
    const where = shortUrl(f.url);
    return `${f.functionName || '(anonymous)'}${where ? ` ${where}:${f.lineNumber + 1}` : ''}`;
  });
}

/**
 * Inclusive (self + callees) time per function whose file matches `only`, counted once per
 * sample even under recursion: where the gateway's own code spends its time, callees included.
 */
export function inclusiveTimes(profile: CpuProfile, only: RegExp): SelfTime[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (f: CallFrame) =>
    `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
  const totals = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(id);
    if (!leaf || leaf.callFrame.functionName === '(idle)') return;
    busy += dt;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!only.test(shortUrl(f.url))) continue;
      const k = label(f);
      if (seen.has(k)) continue;
      seen.add(k);
      totals.set(k, (totals.get(k) ?? 0) + dt);
    }
  });
  return [...totals.entries()]
    .map(([name, selfUs]) => ({ name, selfUs, share: busy > 0 ? selfUs / busy : 0 }))
    .sort((a, b) => b.selfUs - a.selfUs);
}

export function topGroups(profile: CpuProfile): SelfTime[] {
  return selfTimes(profile, groupOf);
}

export function formatSelfTimes(rows: readonly SelfTime[], top: number, busyOnly = true): string {
  const idle = new Set(['(idle)', '(program)']);
  const shown = rows.filter((r) => !busyOnly || !idle.has(r.name));
  const busy = shown.reduce((n, r) => n + r.selfUs, 0);
  return shown
    .slice(0, top)
    .map(
      (r) =>
        `${((100 * r.selfUs) / (busy || 1)).toFixed(1).padStart(5)}%  ${(r.selfUs / 1000).toFixed(0).padStart(6)} ms  ${r.name}`,
    )
    .join('\n');
}

export function summarizeFile(file: string, top = 25, skipStartupMs = 3000): string {
  const profile = withoutStartup(
    JSON.parse(readFileSync(file, 'utf8')) as CpuProfile,
    skipStartupMs,
  );
  const groups = topGroups(profile);
  const idle = groups.filter((g) => g.name === '(idle)').reduce((n, g) => n + g.share, 0);
  return [
    `# ${file} (first ${skipStartupMs / 1000} s skipped; idle ${(idle * 100).toFixed(0)}%; shares below are of busy time)`,
    '## by file group',
    formatSelfTimes(groups, 15),
    '## by function (self time)',
    formatSelfTimes(topFunctions(profile), top),
    '## tsgi functions, inclusive of callees (share of busy time)',
    inclusiveTimes(profile, /(^|\/)(gateway|src)\//)
      .slice(0, 15)
      .map((r) => `${(100 * r.share).toFixed(1).padStart(5)}%  ${r.name}`)
      .join('\n'),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
  const files = args.filter((a, i) => a !== '--top' && i !== topAt + 1);
  for (const f of files) console.log(`${summarizeFile(f, top)}\n`);
}
