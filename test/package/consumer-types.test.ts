/**
 * The published .d.ts files, as a consumer compiles them: the packed tarball installed in an empty
 * folder with only typescript beside it (none of tsgi's devDependencies: no @types/aws-lambda, no
 * @cloudflare/workers-types, no @types/node), `skipLibCheck: false`, and a file that uses typed
 * Worker bindings and typed Lambda events (fixtures/consumer/). Its @ts-expect-error lines prove
 * the types are narrow, not `unknown` or `any`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../helpers/built.js';
import { npm, packTarball } from '../helpers/tarball.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/consumer/', import.meta.url));

function tsc(cwd: string): { code: number; output: string } {
  try {
    const output = execFileSync(
      process.execPath,
      [join(cwd, 'node_modules/typescript/bin/tsc'), '-p', '.'],
      {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return { code: 0, output };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('published types in a consumer project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-consumer-'));
  before(async () => {
    const tarball = await packTarball();
    const ts = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/typescript/package.json'), 'utf8'),
    ) as {
      version: string;
    };
    npm(dir, ['init', '-y']);
    npm(dir, ['install', tarball, `typescript@${ts.version}`]);
    rmSync(dirname(tarball), { recursive: true, force: true });
    for (const f of readdirSync(FIXTURE)) copyFileSync(join(FIXTURE, f), join(dir, f));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('only tsgi and typescript are installed (typescript 7 brings its native @typescript/* build)', () => {
    const installed = readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.'));
    const others = installed.filter(
      (n) => n !== 'tsgi' && n !== 'typescript' && n !== '@typescript',
    );
    assert.deepEqual(others, []);
    assert.ok(installed.includes('tsgi'));
  });

  it('compiles with skipLibCheck: false, and every @ts-expect-error is an error', () => {
    const { code, output } = tsc(dir);
    assert.equal(code, 0, output);
  });

  it('an unused @ts-expect-error fails the compile (the check can fail)', () => {
    const file = join(dir, 'consumer.ts');
    const text = readFileSync(file, 'utf8');
    try {
      // `GREETING` is a binding: expecting an error there must fail.
      writeFileSync(file, text.replace('env.MISSING;', 'env.GREETING;'));
      const { code, output } = tsc(dir);
      assert.notEqual(code, 0);
      assert.match(output, /Unused '@ts-expect-error' directive/);
    } finally {
      writeFileSync(file, text);
    }
  });
});
