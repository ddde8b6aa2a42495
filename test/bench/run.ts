/**
 * `npm run bench`: every load scenario (test/bench/scenarios/) and the other bench files'
 * `run()`, one printed table, one JSON result under bench-results/. `--help` lists the flags.
 * Every process it starts is stopped by PID, also on Ctrl-C or error; the run ends with a check
 * that none of them is still running (scripts/leftovers.ts), which fails the run if one is.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { stop as stopEsbuild } from 'esbuild';
import { endRun, newRun } from '../../scripts/leftovers.js';
import { matchesFilter, parseBenchArgs, USAGE } from './lib/args.js';
import {
  buildGateway,
  gatewayAvailable,
  gatewayMasterAvailable,
  pm2Available,
  profileGatewayInto,
  ROOT,
  useGatewayBuild,
  uwsgiVersion,
} from './lib/backends.js';
import { buildRefGateway, formatRefChanges, refChanges } from './lib/baseline-ref.js';
import { compareRows, formatChanges } from './lib/compare.js';
import { summarizeFile } from './lib/cpuprofile.js';
import { EXTERNAL_BENCHES, runExternal } from './lib/external.js';
import { type ScenarioLoad, scenarioLoad, settleSeconds, withLoad } from './lib/load.js';
import { machineInfo } from './lib/machine.js';
import { removeTmpDirs, sleep } from './lib/net.js';
import { nginxVersion } from './lib/nginx.js';
import { installCleanup, killAllNow } from './lib/processes.js';
import { type BenchResult, checkResultShape, RESULT_SCHEMA, writeResult } from './lib/result.js';
import { runLoadScenario } from './lib/runner.js';
import { formatTable } from './lib/table.js';
import type { BenchRow } from './lib/types.js';
import { wrkInstalled } from './lib/wrk.js';
import { SCENARIOS } from './scenarios/index.js';

/** After `--cpu-prof DIR`: the self-time summary of every gateway profile, also saved as text. */
function printProfiles(dir: string): void {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (the others
  // are tsx's loader thread, idle after start-up).
  const files = existsSync(dir)
    ? readdirSync(dir).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
    : [];
  if (files.length === 0) {
    console.log(`no .cpuprofile in ${dir}: did the gateway exit cleanly on SIGTERM?`);
    return;
  }
  const text = files.map((f) => summarizeFile(join(dir, f))).join('\n\n');
  writeFileSync(join(dir, 'summary.txt'), `${text}\n`);
  console.log(`\n${text}\n\nprofile summary: ${join(dir, 'summary.txt')}`);
}

const load1m = () => Math.round(loadavg()[0]! * 100) / 100;

/** Waits (at most `maxS`) for the 1-minute load average to fall to the noisy threshold. */
async function settle(maxS: number): Promise<void> {
  const deadline = Date.now() + maxS * 1000;
  let wait = settleSeconds(load1m(), maxS);
  if (wait === 0) return;
  console.log(`   waiting up to ${wait} s for the load average (${load1m()}) to settle`);
  while (wait > 0 && Date.now() < deadline) {
    await sleep(Math.min(5000, deadline - Date.now()));
    wait = settleSeconds(load1m(), maxS);
  }
}

/** Runs one scenario (or bench file) between two load readings; its rows carry them. */
async function measured(
  name: string,
  settleS: number,
  loads: ScenarioLoad[],
  run: () => Promise<BenchRow[]>,
): Promise<BenchRow[]> {
  await settle(settleS);
  const before = load1m();
  const rows = await run();
  const load = scenarioLoad(name, before, load1m());
  loads.push(load);
  console.log(
    `   load average (1 min) ${load.before} → ${load.after}${load.noisy ? ' — NOISY: the machine was busy when it started' : ''}`,
  );
  return withLoad(rows, load);
}

function readPrevious(file: string): BenchRow[] {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const problems = checkResultShape(parsed);
  if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
  return (parsed as BenchResult).rows;
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(16)} ${s.title}`);
    console.log(`${'hot-path'.padEnd(16)} the gateway's per-request JS, no sockets (tinybench)`);
    for (const e of EXTERNAL_BENCHES) console.log(`${e.padEnd(16)} test/bench/${e}.ts run()`);
    return 0;
  }
  installCleanup();
  // Registered after installCleanup's handler, so it runs once every process is killed.
  if (!args.keepTmp) process.on('exit', removeTmpDirs);
  if (args.cpuProfDir) profileGatewayInto(join(process.cwd(), args.cpuProfDir));
  let gatewayBuild = 'source (tsx)';
  if (!args.gatewaySource && gatewayAvailable()) {
    // Inside the repo (.tmp/ is gitignored) so the build resolves tsx and hono from node_modules.
    const buildDir = join(ROOT, '.tmp', `bench-build-${process.pid}`);
    process.on('exit', () => rmSync(buildDir, { recursive: true, force: true }));
    const build = buildGateway(buildDir);
    if (build.ok) {
      useGatewayBuild(buildDir);
      gatewayBuild = 'compiled (tsc -p tsconfig.build.json)';
    } else console.log(`gateway build failed, running it through tsx:\n${build.output}`);
  }
  const ref = args.baselineRef ? buildRefGateway(args.baselineRef) : undefined;
  if (ref) {
    process.on('exit', ref.remove);
    console.log(`baseline gateway: ${args.baselineRef}, built in ${ref.root}`);
  }
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const available = {
    nginx: nginxVersion() !== null,
    uwsgi: uwsgiVersion() !== null,
    gateway: gatewayAvailable(),
    master: gatewayMasterAvailable(),
    wrk: wrkInstalled(),
    pm2: pm2Available(),
  };
  console.log(
    `tsgi bench: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, nginx ${machine.nginx ?? 'missing'}, uwsgi ${machine.uwsgi ?? 'missing'}, wrk ${machine.wrk ?? 'missing'}, autocannon ${machine.autocannon}, gateway ${gatewayBuild}${args.smoke ? ' — SMOKE (no meaningful figures)' : ''}`,
  );
  const rows: BenchRow[] = [];
  const load: ScenarioLoad[] = [];
  const failures: string[] = [];
  for (const scenario of SCENARIOS) {
    if (!matchesFilter(scenario.name, args.filters)) continue;
    const got = await measured(scenario.name, args.settleS, load, () =>
      runLoadScenario(scenario, {
        durationS: args.durationS,
        warmupS: args.warmupS,
        rounds: args.rounds,
        connections: args.connections,
        tool: args.tool,
        available,
        keepTmp: args.keepTmp,
        log: (line) => console.log(line),
        ref,
      }),
    );
    rows.push(...got);
    for (const r of got) {
      if (r.note?.startsWith('failed') || r.note?.startsWith('load failed')) {
        failures.push(`${r.scenario} / ${r.name}: ${r.note}`);
      }
    }
  }
  if (matchesFilter('hot-path', args.filters) && available.gateway) {
    console.log(
      "\n== hot-path: the gateway's per-request JS on the uwsgi path, no sockets (tinybench)",
    );
    try {
      const { run } = await import('./scenarios/hot-path.js');
      const got = await measured('hot-path', args.settleS, load, () =>
        run({ duration: args.durationS, rounds: args.rounds, smoke: args.smoke }),
      );
      for (const r of got) console.log(`   ${r.name.padEnd(48)} ${r.note}`);
      rows.push(...got);
    } catch (err) {
      failures.push(`hot-path: ${(err as Error).message}`);
      console.log(`   FAILED: ${(err as Error).stack ?? err}`);
    }
  }
  for (const name of EXTERNAL_BENCHES) {
    if (!matchesFilter(name, args.filters)) continue;
    console.log(`\n== ${name}: test/bench/${name}.ts run()`);
    try {
      // In-process micro-benchmarks need no more than 1 s per task; load benches get the full time.
      const loadBench = name === 'gateway' || name === 'workers-scaling';
      const got = await measured(
        name,
        args.settleS,
        load,
        async () =>
          (await runExternal(name, {
            duration: loadBench ? args.durationS : Math.min(args.durationS, 1),
            rounds: args.rounds,
            smoke: args.smoke,
          })) ?? [],
      );
      if (got.length === 0) console.log('   (no rows: file not there yet)');
      rows.push(...got);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
      console.log(`   FAILED: ${(err as Error).stack ?? err}`);
    }
  }
  console.log(`\n${formatTable(rows)}\n`);
  const refComparison = ref && args.baselineRef ? refChanges(rows, args.baselineRef) : undefined;
  if (refComparison) {
    console.log(
      `this tree against ${args.baselineRef} (paired rounds):\n${formatRefChanges(refComparison, args.baselineRef!)}\n`,
    );
  }
  // Read before writing: --compare bench-results/latest.json means the previous run.
  const previous = args.compare ? readPrevious(args.compare) : undefined;
  const file = writeResult(join(ROOT, args.outDir), {
    schema: RESULT_SCHEMA,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: { ...args, gatewayBuild },
    machine,
    rows,
    load,
    ...(refComparison ? { refComparison } : {}),
  });
  console.log(`result: ${file}`);
  if (previous)
    console.log(`\nchange against ${args.compare}:\n${formatChanges(compareRows(rows, previous))}`);
  if (args.cpuProfDir) printProfiles(join(process.cwd(), args.cpuProfDir));
  if (failures.length > 0) {
    console.log(`\n${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
    return 1;
  }
  return 0;
}

// Everything the bench spawns inherits the run's marker (and records its process group).
const marked = newRun();
Object.assign(process.env, marked.env);

/** Stops what is still tracked, then fails the run if any process it started is left. */
async function finish(code: number): Promise<never> {
  killAllNow();
  // esbuild's service process (bundles built in this process) would otherwise outlive the check.
  await stopEsbuild();
  const left = endRun(marked);
  process.exit(left.length > 0 ? 1 : code);
}

main().then(finish, (err: unknown) => {
  console.error(err);
  void finish(1);
});
