/**
 * Every code sample in the docs is tested (the tags are described in test/docs/lib/doc-samples.ts):
 * `ts test` and `sh test` blocks run; `file=` blocks are the files a test uses; `output` blocks are
 * generated from real runs; `illustrative` commands name only npm scripts, paths and flags that
 * exist.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findOption } from '../../gateway/config/index.js';
import { ROOT, tsgiCommand, tsgiLauncher } from '../deploy/lib/tsgi-cli.js';
import { extractSamples, references, type Sample, STRICT_PAGES } from './lib/doc-samples.js';

const PAGES = [
  ...readdirSync(join(ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => `docs/${n}`),
  'deploy/README.md',
].sort();

const SAMPLE_DIR = join(ROOT, '.tmp/doc-samples');
const SHELL_DIR = mkdtempSync(join(tmpdir(), 'tsgi-doc-sh-'));
after(() => rmSync(SHELL_DIR, { recursive: true, force: true }));

const packageScripts = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts,
);

function testSources(dir = join(ROOT, 'test')): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) text += testSources(p);
    else if (name.endsWith('.ts')) text += readFileSync(p, 'utf8');
  }
  return text;
}
const TEST_TEXT = testSources();

const slug = (s: Sample) => `${s.page.replace(/[/.]/g, '-')}-${s.line}`;

function runTs(sample: Sample) {
  mkdirSync(SAMPLE_DIR, { recursive: true });
  const file = join(SAMPLE_DIR, `${slug(sample)}.ts`);
  writeFileSync(file, sample.code);
  const [node, ...pre] = tsgiCommand();
  const res = spawnSync(node!, [...pre.slice(0, 3), file], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return res;
}

function runSh(sample: Sample) {
  const dir = join(SHELL_DIR, slug(sample));
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'bin/tsgi'), tsgiLauncher(), { mode: 0o755 });
  writeFileSync(join(dir, 'sample.sh'), sample.code);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TSGI_')),
  );
  return spawnSync('bash', ['-eo', 'pipefail', 'sample.sh'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, REPO: ROOT },
  });
}

for (const page of PAGES) {
  const samples = extractSamples(page, readFileSync(join(ROOT, page), 'utf8'));
  describe(`code samples in ${page}`, () => {
    if (STRICT_PAGES.includes(page)) {
      it('every block says how it is tested', () => {
        const untagged = samples.filter((s) => s.kind === 'untagged').map((s) => `line ${s.line}`);
        assert.deepEqual(untagged, []);
      });
    }
    for (const sample of samples) {
      const where = `${page}:${sample.line}`;
      if (sample.kind === 'test' && sample.lang === 'ts') {
        it(`runs the ts sample at line ${sample.line}`, () => {
          const res = runTs(sample);
          assert.equal(res.status, 0, `${where}\n${res.stdout}${res.stderr}`);
        });
      } else if (sample.kind === 'test' && sample.lang === 'sh') {
        it(`runs the sh sample at line ${sample.line}`, () => {
          const res = runSh(sample);
          assert.equal(res.status, 0, `${where}\n${res.stdout}${res.stderr}`);
        });
      } else if (sample.kind === 'test') {
        it(`has a runnable language at line ${sample.line}`, () => {
          assert.fail(`${where}: only ts and sh samples can be tagged test`);
        });
      } else if (sample.kind === 'file') {
        it(`shows ${sample.file} as it is, and a test uses that file`, () => {
          const path = join(ROOT, sample.file!);
          assert.ok(existsSync(path), `${where}: ${sample.file} does not exist`);
          assert.equal(sample.code, readFileSync(path, 'utf8').replace(/\n*$/, '\n'), where);
          const base = sample.file!.split('/').at(-1)!;
          assert.ok(
            TEST_TEXT.includes(sample.file!) || TEST_TEXT.includes(`'${base}'`),
            `${where}: no test under test/ names ${sample.file}`,
          );
        });
      } else if (sample.kind === 'output') {
        it(`output at line ${sample.line} is generated`, () => {
          assert.ok(sample.generated, `${where}: an output block must sit in a generated block`);
        });
      } else if (sample.kind === 'illustrative') {
        it(`illustrative commands at line ${sample.line} name things that exist`, () => {
          const refs = references(sample.code);
          for (const s of refs.npmScripts) {
            assert.ok(packageScripts.includes(s), `${where}: no npm script ${s}`);
          }
          for (const p of refs.paths) {
            assert.ok(existsSync(join(ROOT, p)), `${where}: ${p} is not in the repo`);
          }
          for (const f of refs.flags) assert.ok(findOption(f), `${where}: tsgi has no --${f}`);
        });
      }
    }
  });
}

describe('ts samples type-check', () => {
  it('every `ts test` block compiles under the project tsconfig (strict)', () => {
    const dir = join(SAMPLE_DIR, 'typecheck');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const page of PAGES) {
      for (const s of extractSamples(page, readFileSync(join(ROOT, page), 'utf8'))) {
        if (s.kind !== 'test' || s.lang !== 'ts') continue;
        // `export {}` keeps each sample a module of its own (top-level await, no shared names).
        const file = join(dir, `${slug(s)}.ts`);
        writeFileSync(file, `${s.code}export {};\n`);
        files.push(file);
      }
    }
    assert.ok(files.length > 0);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../../tsconfig.json',
        include: ['*.ts'],
        compilerOptions: { rootDir: '../../..' },
      }),
    );
    const res = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(res.status, 0, `${res.stdout}${res.stderr}`);
  });
});

describe('the sample extractor', () => {
  it('reads tags, lines and generated blocks', () => {
    const text = [
      '```ts test',
      'x',
      '```',
      '<!-- BEGIN generated:a -->',
      '```text output',
      'y',
      '```',
      '<!-- END generated:a -->',
      '```sh',
      '```',
    ].join('\n');
    const s = extractSamples('p.md', text);
    assert.deepEqual(
      s.map((x) => [x.line, x.lang, x.kind, x.generated]),
      [
        [1, 'ts', 'test', false],
        [5, 'text', 'output', true],
        [9, 'sh', 'untagged', false],
      ],
    );
    assert.throws(() => extractSamples('p.md', '```ts test\nopen'), /not closed/);
  });

  it('finds npm scripts, repo paths and tsgi flags in commands', () => {
    const refs = references(
      'npm ci && npm start\nbash scripts/setup.sh && npm test # x\ncp deploy/tsgi.ini /etc\ntsgi --ini a.ini --processes 4\n',
    );
    assert.deepEqual(refs.npmScripts, ['start', 'test']);
    assert.deepEqual(refs.paths, ['scripts/setup.sh', 'deploy/tsgi.ini']);
    assert.deepEqual(refs.flags, ['ini', 'processes']);
  });
});
