/**
 * The README's quick start, as written, from the packed tarball in an empty temp folder: its
 * commands run in order (`npm install tsgi` installs the tarball; npm's cache is used first), its
 * app.ts is saved as the README says, and the server command is served on Node 20, 22 and 24
 * (npm's node@N binaries first on PATH, so npx and tsgi run on them). Then without tsx: Node 20
 * says what to install; Node 22 and 24 strip the types themselves (an ESM app.ts in npm's
 * `"type": "commonjs"` package too, through gateway/app/esm-typescript-hooks.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodeBinary } from '../../scripts/node-binary.mjs';
import { ROOT } from '../helpers/built.js';
import { freePort } from '../helpers/ports.js';
import { spawnGroup, stopGroup } from '../helpers/process-group.js';
import { packTarball } from '../helpers/tarball.js';

interface Block {
  lang: string;
  code: string;
}

/** The fenced blocks of the README's "Quick start", up to its "From a clone" part. */
function quickStartBlocks(): { blocks: Block[]; prose: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Quick start'),
    readme.indexOf('### From a clone'),
  );
  const blocks = [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1]!,
    code: m[2]!,
  }));
  return { blocks, prose: section };
}

function commands(block: Block): string[] {
  return block.code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

const NPM_QUIET = '--prefer-offline --no-audit --no-fund --loglevel=error';

describe('README quick start from the packed tarball', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-quick-start-'));
  const project = join(dir, 'hello');
  const { blocks, prose } = quickStartBlocks();
  const nodes = new Map<number, string>();
  let serveLine = '';
  let curlLine = '';

  before(async () => {
    const tarball = await packTarball();
    for (const major of [20, 22, 24]) {
      const found = nodeBinary(major, ROOT);
      assert.ok(found.path, found.error);
      nodes.set(major, found.path);
    }
    const [install, app, serve] = blocks;
    assert.equal(install?.lang, 'sh');
    assert.equal(app?.lang, 'ts');
    assert.equal(serve?.lang, 'sh');
    assert.match(prose, /Save this as `app\.ts`/);
    mkdirSync(project);
    for (const line of commands(install!)) {
      // `npm install tsgi` is the tarball here: the package as it would come from the registry.
      const run = line.replace(/^npm install tsgi\b/, `npm install ${tarball}`);
      const quiet = run.startsWith('npm ') ? `${run} ${NPM_QUIET}` : run;
      execFileSync('sh', ['-c', quiet], { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] });
    }
    writeFileSync(join(project, 'app.ts'), app!.code);
    [serveLine = '', curlLine = ''] = commands(serve!);
    rmSync(dirname(tarball), { recursive: true, force: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the README's server command on Node `major`; resolves with what curl printed, or the log. */
  async function serve(
    major: number,
    app = 'app.ts',
  ): Promise<{ reply: string | null; log: string }> {
    const port = await freePort();
    const line = serveLine
      .replace('127.0.0.1:8000', `127.0.0.1:${port}`)
      .replace(/ app\.ts$/, ` ${app}`);
    const env = {
      ...process.env,
      NODE_OPTIONS: '',
      PATH: `${dirname(nodes.get(major)!)}:${process.env.PATH}`,
    };
    const version = execFileSync('sh', ['-c', 'node -v'], { env, encoding: 'utf8' });
    assert.ok(version.startsWith(`v${major}.`), `PATH gives node ${version}`);
    const child = spawnGroup('sh', ['-c', line], {
      cwd: project,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout!.on('data', (b: Buffer) => (log += b));
    child.stderr!.on('data', (b: Buffer) => (log += b));
    let reply: string | null = null;
    try {
      for (const end = Date.now() + 30_000; Date.now() < end && child.exitCode === null; ) {
        if (/ready/.test(log)) {
          const curl = curlLine.replace(/#.*$/, '').replace('127.0.0.1:8000', `127.0.0.1:${port}`);
          reply = execFileSync('sh', ['-c', curl], { cwd: project, encoding: 'utf8' });
          break;
        }
        await sleep(100);
      }
    } finally {
      await stopGroup(child, { signal: 'SIGINT' });
    }
    return { reply, log };
  }

  for (const major of [20, 22, 24]) {
    it(`Node ${major}: the server command serves app.ts, curl prints what the README says`, async () => {
      const expected = /#.*terminal: (.*)$/.exec(curlLine)?.[1];
      assert.ok(expected, 'the curl line says what it prints');
      const { reply, log } = await serve(major);
      assert.equal(reply?.trim(), expected, log);
    });
  }

  describe('without tsx', () => {
    before(() => {
      execFileSync('sh', ['-c', `npm uninstall tsx ${NPM_QUIET}`], {
        cwd: project,
        stdio: 'ignore',
      });
    });

    it('Node 20: the gateway says to install tsx (or use Node ≥ 22.18)', async () => {
      const { reply, log } = await serve(20);
      assert.equal(reply, null);
      assert.match(log, /ERR_GATEWAY_APP_TYPESCRIPT/);
      assert.match(log, /npm i -D tsx/);
      assert.match(log, /Node ≥ 22\.18/);
    });

    for (const major of [22, 24]) {
      it(`Node ${major}: Node's type stripping loads app.ts (ESM in a "type": "commonjs" package)`, async () => {
        const { reply, log } = await serve(major);
        assert.equal(reply?.trim(), 'Hello from /hi', log);
      });

      it(`Node ${major}: a CommonJS app.cts stays CommonJS`, async () => {
        writeFileSync(
          join(project, 'app.cts'),
          "import type { App } from 'tsgi';\nconst app: App = (_e, start) => {\n  start('200 OK', []);\n  return ['Hello from /hi\\n'];\n};\nmodule.exports = app;\n",
        );
        const { reply, log } = await serve(major, 'app.cts');
        assert.equal(reply?.trim(), 'Hello from /hi', log);
      });
    }
  });
});
