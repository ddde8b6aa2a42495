#!/usr/bin/env node
// Runs the whole suite with node:test through tsx. Node 20 has no glob support in `node --test`,
// so the files are listed here. `--node24` runs the same files on Node 24 (npm's node@24 binary);
// `--both` (what `npm test` uses) runs on this Node and then on Node 24. Extra arguments narrow the
// file list (substring match).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { nodeBinary } from './node-binary.mjs';

// Every process the run starts inherits the run's marker; the check at the end lists what is left.
const leftovers = await tsImport('./leftovers.ts', import.meta.url);

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const filters = args.filter((a) => !a.startsWith('--'));

function listTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

const files = listTests(join(root, 'test')).filter(
  (f) => filters.length === 0 || filters.some((x) => f.includes(x)),
);
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const marked = leftovers.newRun();
const nodeArgs = [
  '--conditions=source',
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  `--test-concurrency=${process.env.TSGI_TEST_CONCURRENCY ?? 2}`,
  '--test-timeout=300000',
  ...files,
];

function run(label, cmd, argv) {
  console.log(`\n# ${label}: ${files.length} test files`);
  const res = spawnSync(cmd, argv, {
    cwd: root,
    env: { ...process.env, ...marked.env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  process.stdout.write(res.stdout ?? '');
  const num = (key) =>
    Number((res.stdout ?? '').match(new RegExp(`^ℹ ${key} (\\d+)$`, 'm'))?.[1] ?? NaN);
  return {
    label,
    status: res.status ?? 1,
    pass: num('pass'),
    fail: num('fail'),
    skipped: num('skipped'),
  };
}

function node24Binary() {
  const found = nodeBinary(24, root);
  if (found.error) {
    console.error(
      `${found.error}\nRun scripts/setup.sh (it fetches node@24 once), or run test:unit for this Node only.`,
    );
    process.exit(1);
  }
  return found;
}

const runs = [];
if (!flags.has('--node24')) runs.push(run(`node ${process.version}`, process.execPath, nodeArgs));
if (flags.has('--node24') || flags.has('--both')) {
  const node24 = node24Binary();
  runs.push(run(`node ${node24.version}`, node24.path, nodeArgs));
}
let pass = 0;
let fail = 0;
for (const r of runs) {
  console.log(`# ${r.label}: exit ${r.status}, ${r.pass} passed, ${r.fail} failed`);
  pass += Number.isNaN(r.pass) ? 0 : r.pass;
  fail += Number.isNaN(r.fail) || r.status !== 0 ? Math.max(1, r.fail || 0) : r.fail;
}
const left = leftovers.endRun(marked);
console.log(`\n${left.length} process(es) left running`);
// The plain closing line stays last and alone on its line: CI and .ci/run read it.
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail === 0 && left.length === 0 && runs.every((r) => r.status === 0) ? 0 : 1);
