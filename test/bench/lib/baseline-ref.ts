/**
 * `--baseline-ref REF`: the gateway of an earlier git commit, measured in the same run next to
 * this tree's, so "no scenario slower than before" is read off one run on one machine state.
 * The ref's files come out of `git archive` into .tmp/ (no checkout, the work tree is untouched),
 * get this tree's node_modules and bench apps (the same apps on both sides; their
 * `import 'tsgi'` resolves to the ref's own src/), and are compiled with tsc like this tree's.
 * Every target that starts the gateway gets an `@REF` twin right after it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, buildGateway, type GatewayInstall, ROOT } from './backends.js';
import type { Target } from './scenario.js';
import { pairedRatio } from './stats.js';
import type { BenchRow } from './types.js';

/** `git rev-parse` of a ref the user typed; null when it names no commit. */
export function resolveRef(ref: string, root = ROOT): string | null {
  // A leading dash would be read by git as an option.
  if (ref.startsWith('-')) return null;
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    cwd: root,
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Extracts and compiles REF's gateway under `ROOT/.tmp/`; throws with git's or tsc's words. */
export function buildRefGateway(ref: string): GatewayInstall & { remove(): void } {
  const commit = resolveRef(ref);
  if (!commit) throw new Error(`--baseline-ref ${ref}: not a commit of this repository`);
  const root = join(ROOT, '.tmp', `bench-ref-${commit.slice(0, 12)}-${process.pid}`);
  const remove = () => rmSync(root, { recursive: true, force: true });
  remove();
  mkdirSync(root, { recursive: true });
  const tar = `${root}.tar`;
  const archive = spawnSync('git', ['archive', '--format=tar', '-o', tar, commit], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const untar =
    archive.status === 0
      ? spawnSync('tar', ['-xf', tar, '-C', root], { encoding: 'utf8' })
      : archive;
  rmSync(tar, { force: true });
  if (untar.status !== 0) {
    remove();
    throw new Error(`--baseline-ref ${ref}: git archive failed: ${untar.stderr}`);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  cpSync(APPS, join(root, 'test/bench/scenarios/apps'), { recursive: true, force: true });
  const buildDir = join(root, '.build');
  const build = buildGateway(buildDir, root);
  if (!build.ok || !existsSync(join(buildDir, 'gateway/cli.js'))) {
    remove();
    throw new Error(`--baseline-ref ${ref}: tsc failed:\n${build.output}`);
  }
  return { label: ref, root, buildDir, remove };
}

/** The name of a target's twin running the ref's gateway. */
export function refName(name: string, label: string): string {
  return `${name} @${label}`;
}

/** Each gateway target followed by its twin on `install` (same compareTo, so same baseline). */
export function withRefTargets(targets: readonly Target[], install: GatewayInstall): Target[] {
  return targets.flatMap((t) =>
    t.requires.includes('gateway')
      ? [
          t,
          {
            ...t,
            name: refName(t.name, install.label),
            start: (ctx) => t.start({ ...ctx, gateway: install }),
          },
        ]
      : [t],
  );
}

export interface RefChange {
  scenario: string;
  name: string;
  /** Paired ratio of this tree's rounds to the ref's: above 1 = faster now. */
  nowVsRef: number | null;
  /** Server CPU µs/req now and at the ref. */
  cpuNow: number | null;
  cpuRef: number | null;
}

/** Every row that has an `@label` twin in its scenario: how this tree compares with the ref. */
export function refChanges(rows: readonly BenchRow[], label: string): RefChange[] {
  const out: RefChange[] = [];
  for (const now of rows) {
    const twin = rows.find(
      (r) => r.scenario === now.scenario && r.name === refName(now.name, label),
    );
    if (!twin) continue;
    out.push({
      scenario: now.scenario,
      name: now.name,
      nowVsRef: pairedRatio(now.rounds, twin.rounds),
      cpuNow: now.serverCpuUsPerReq ?? null,
      cpuRef: twin.serverCpuUsPerReq ?? null,
    });
  }
  return out;
}

export function formatRefChanges(changes: readonly RefChange[], label: string): string {
  if (changes.length === 0) return `no row has an @${label} twin`;
  const cpu = (n: number | null) => (n === null ? '–' : Math.round(n).toString());
  return changes
    .map(
      (c) =>
        `  ${`${c.scenario} / ${c.name}`.padEnd(60)} now ÷ ${label}: ${c.nowVsRef === null ? '–' : `${c.nowVsRef.toFixed(2)}×`}  server CPU µs/req ${cpu(c.cpuNow)} (was ${cpu(c.cpuRef)})`,
    )
    .join('\n');
}
