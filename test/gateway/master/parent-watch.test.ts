/**
 * The gateway stops gracefully when the process that started it dies. The parent here is a real
 * `npx tsgi` (npm exec running the package's bin from node_modules/.bin, as in a project that
 * depends on tsgi); npx gets SIGTERM, as from `docker stop` or a CI runner, and exits without
 * passing it on. Before the watch, the gateway kept serving as an orphan.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ParentWatch } from '../../../gateway/master/parent-watch.js';
import { projectWithBin } from '../../helpers/built.js';
import { alive } from '../../helpers/master.js';
import { spawnGroup, stopGroup } from '../../helpers/process-group.js';

const HELLO = fileURLToPath(new URL('../fixtures/hello.mjs', import.meta.url));

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (check()) return true;
  return check();
}

describe('gateway: parent death', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-parent-'));
  const parents: ChildProcess[] = [];
  before(async () => {
    await projectWithBin(dir);
    copyFileSync(HELLO, join(dir, 'hello.mjs'));
  });
  after(async () => {
    // npx leads a process group that the gateway is part of: whatever is left goes with it.
    for (const child of parents) await stopGroup(child, { signal: 'SIGKILL' });
    rmSync(dir, { recursive: true, force: true });
  });

  function npx(name: string, args: string[]): { child: ChildProcess; log: () => string } {
    let out = '';
    const child = spawnGroup(
      'npx',
      ['--no-install', 'tsgi', ...args, '--pidfile', `${name}.pid`, 'hello.mjs:application'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    );
    parents.push(child);
    child.stdout!.on('data', (b: Buffer) => (out += b));
    child.stderr!.on('data', (b: Buffer) => (out += b));
    return { child, log: () => out };
  }

  for (const [mode, args] of [
    ['with a master', ['--master', '--processes', '2']],
    ['single process', []],
  ] as const) {
    it(`${mode}: npx gets SIGTERM, the gateway stops gracefully and removes its socket`, async () => {
      const name = mode.replace(/\W/g, '-');
      const sock = join(dir, `${name}.sock`);
      const { child, log } = npx(name, [...args, '--http-socket', sock]);
      const pidfile = join(dir, `${name}.pid`);
      assert.ok(
        await waitFor(() => /ready/.test(log()) && existsSync(pidfile), 20_000),
        `no ready line:\n${log()}`,
      );
      const gateway = Number(readFileSync(pidfile, 'utf8'));
      assert.notEqual(gateway, child.pid, 'npx runs the gateway as its child');
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      assert.ok(await waitFor(() => !alive(gateway), 10_000), `still serving:\n${log()}`);
      assert.match(log(), /parent process \d+ exited/);
      assert.equal(existsSync(sock), false, 'the socket file was removed (graceful stop)');
    });
  }

  // A start script that leaves the gateway in the background and ends: the shell is the parent.
  function script(
    name: string,
    prefix: string,
    extra: string,
  ): { child: ChildProcess; pidfile: string } {
    const pidfile = join(dir, `${name}.pid`);
    const line =
      `${prefix} node_modules/.bin/tsgi ${extra} --http-socket ${name}.sock --pidfile ${name}.pid ` +
      `hello.mjs:application > ${name}.log 2>&1 &\n` +
      `i=0; while [ ! -s ${name}.pid ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done\n`;
    const child = spawnGroup('sh', ['-c', line], {
      cwd: dir,
      stdio: 'ignore',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    parents.push(child);
    return { child, pidfile };
  }

  for (const [mode, prefix, extra, survives] of [
    ['plain `tsgi &`', '', '', false],
    ['`nohup tsgi --disable-parent-watch &`', 'nohup', '--disable-parent-watch', true],
    ['`tsgi --disable-parent-watch &`', '', '--disable-parent-watch', true],
  ] as const) {
    it(`a start script ends after ${mode}: the gateway ${survives ? 'keeps serving' : 'stops'}`, async () => {
      const name = `script-${prefix || 'plain'}-${extra ? 'off' : 'on'}`;
      const { child, pidfile } = script(name, prefix, extra);
      await new Promise((r) => child.once('exit', r));
      assert.ok(
        existsSync(pidfile),
        `no pidfile:\n${readFileSync(join(dir, `${name}.log`), 'utf8')}`,
      );
      const gateway = Number(readFileSync(pidfile, 'utf8'));
      const log = () => readFileSync(join(dir, `${name}.log`), 'utf8');
      if (survives) {
        await sleep(3000); // three parent checks
        assert.ok(alive(gateway), `stopped with its shell:\n${log()}`);
        process.kill(gateway, 'SIGTERM');
        assert.ok(await waitFor(() => !alive(gateway), 10_000), 'did not stop on SIGTERM');
      } else {
        assert.ok(await waitFor(() => !alive(gateway), 10_000), `kept serving:\n${log()}`);
        assert.match(log(), /parent process \d+ exited .*--disable-parent-watch keeps serving/);
      }
    });
  }
});

describe('ParentWatch', () => {
  it('is off when started by init or PID 1 in a container, and when asked', () => {
    assert.equal(new ParentWatch(false).active, false);
    assert.equal(new ParentWatch().gone(), null, 'our parent is alive');
  });
});
