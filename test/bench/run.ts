/**
 * `npm run bench`: every load scenario (test/bench/scenarios/) and the other bench files'
 * `run()`, one printed table, one JSON result under bench-results/. `--help` lists the flags.
 * Every process it starts is stopped by PID, also on Ctrl-C or error.
 */
import { join } from 'node:path';
import { matchesFilter, parseBenchArgs, USAGE } from './lib/args.js';
import {
  gatewayAvailable,
  gatewayMasterAvailable,
  profileGatewayInto,
  ROOT,
  uwsgiVersion,
} from './lib/backends.js';
import { EXTERNAL_BENCHES, runExternal } from './lib/external.js';
import { machineInfo } from './lib/machine.js';
import { nginxVersion } from './lib/nginx.js';
import { installCleanup, killAllNow } from './lib/processes.js';
import { RESULT_SCHEMA, writeResult } from './lib/result.js';
import { runLoadScenario } from './lib/runner.js';
import { formatTable } from './lib/table.js';
import type { BenchRow } from './lib/types.js';
import { wrkInstalled } from './lib/wrk.js';
import { SCENARIOS } from './scenarios/index.js';

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(16)} ${s.title}`);
    for (const e of EXTERNAL_BENCHES) console.log(`${e.padEnd(16)} test/bench/${e}.ts run()`);
    return 0;
  }
  installCleanup();
  if (args.cpuProfDir) profileGatewayInto(join(process.cwd(), args.cpuProfDir));
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const available = {
    nginx: nginxVersion() !== null,
    uwsgi: uwsgiVersion() !== null,
    gateway: gatewayAvailable(),
    master: gatewayMasterAvailable(),
    wrk: wrkInstalled(),
  };
  console.log(
    `tsgi bench: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, nginx ${machine.nginx ?? 'missing'}, uwsgi ${machine.uwsgi ?? 'missing'}, wrk ${machine.wrk ?? 'missing'}, autocannon ${machine.autocannon}${args.smoke ? ' — SMOKE (no meaningful figures)' : ''}`,
  );
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  for (const scenario of SCENARIOS) {
    if (!matchesFilter(scenario.name, args.filters)) continue;
    const got = await runLoadScenario(scenario, {
      durationS: args.durationS,
      warmupS: args.warmupS,
      rounds: args.rounds,
      connections: args.connections,
      tool: args.tool,
      available,
      keepTmp: args.keepTmp,
      log: (line) => console.log(line),
    });
    rows.push(...got);
    for (const r of got) {
      if (r.note?.startsWith('failed') || r.note?.startsWith('load failed')) {
        failures.push(`${r.scenario} / ${r.name}: ${r.note}`);
      }
    }
  }
  for (const name of EXTERNAL_BENCHES) {
    if (!matchesFilter(name, args.filters)) continue;
    console.log(`\n== ${name}: test/bench/${name}.ts run()`);
    try {
      const got = await runExternal(name, {
        duration: args.durationS,
        rounds: args.rounds,
        smoke: args.smoke,
      });
      if (got === null) console.log('   (file not there yet: skipped)');
      else rows.push(...got);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
      console.log(`   FAILED: ${(err as Error).stack ?? err}`);
    }
  }
  console.log(`\n${formatTable(rows)}\n`);
  const file = writeResult(join(ROOT, args.outDir), {
    schema: RESULT_SCHEMA,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: { ...args },
    machine,
    rows,
  });
  console.log(`result: ${file}`);
  if (failures.length > 0) {
    console.log(`\n${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    killAllNow();
    process.exit(code);
  },
  (err: unknown) => {
    console.error(err);
    killAllNow();
    process.exit(1);
  },
);
