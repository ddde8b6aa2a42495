/**
 * The README's "Behind nginx" example as written: its commands make the socket folder and start
 * the gateway (`npx tsgi` from a project that has tsgi's bin), and its nginx `location` block runs
 * in Debian's nginx with workers as `www-data`, as on a Debian server. Only paths and ports are
 * moved into a temp folder, and `sudo` is dropped (the suite runs as root). The control: the same
 * socket with `--chmod-socket 660` and no --chown-socket gives nginx's workers EACCES, a 502.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectWithBin, ROOT } from '../helpers/built.js';
import { NGINX_BIN, nginxMainConfig } from '../helpers/nginx.js';
import { freePort, waitForPort } from '../helpers/ports.js';
import { spawnGroup, stopGroup } from '../helpers/process-group.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SECTION = README.slice(
  README.indexOf('## Behind nginx: the gateway'),
  README.indexOf('## Hono'),
);

function block(lang: string): string {
  const m = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(SECTION);
  assert.ok(m, `no ${lang} block in the README's gateway section`);
  return m[1]!;
}

const isRoot = process.getuid?.() === 0;

describe('README: behind nginx', {
  skip: !isRoot && 'needs root to run nginx workers as www-data',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-readme-gw-'));
  const project = join(dir, 'project');
  const run = join(dir, 'run/tsgi');
  const stopAll: Array<() => Promise<void>> = [];

  before(async () => {
    chmodSync(dir, 0o755); // nginx's workers (www-data) must reach the socket folder below
    await projectWithBin(project);
    const quickStartApp = /Save this as `app\.ts`:\n\n```ts\n([\s\S]*?)```/.exec(README)?.[1];
    assert.ok(quickStartApp);
    writeFileSync(join(project, 'app.ts'), quickStartApp);
  });
  after(async () => {
    for (const stop of stopAll.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The README's sh block with its paths and ports moved; `chmod` replaces the socket mode. */
  function commands(statsPort: number, chmod?: string): string[] {
    const text = block('sh')
      .replace(/\\\n\s*/g, '')
      .replaceAll('/run/tsgi', run)
      .replace('127.0.0.1:9191', `127.0.0.1:${statsPort}`)
      .replace(/^sudo /gm, '');
    const lines = text
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l !== '');
    return chmod
      ? lines.map((l) => l.replace(/--chmod-socket \S+/, `--chmod-socket ${chmod}`))
      : lines;
  }

  async function startGateway(lines: string[]): Promise<void> {
    const [mkdir, serve] = lines as [string, string];
    execFileSync('sh', ['-c', mkdir], { env: { ...process.env, USER: 'root' } });
    assert.ok(serve.startsWith('npx tsgi '), serve);
    const child = spawnGroup('sh', ['-c', serve], {
      cwd: project,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout!.on('data', (b: Buffer) => (log += b));
    child.stderr!.on('data', (b: Buffer) => (log += b));
    stopAll.push(() => stopGroup(child, { signal: 'SIGTERM', graceMs: 10_000 }));
    for (const end = Date.now() + 60_000; Date.now() < end; await sleep(100)) {
      if (/ready \(pid/.test(log)) return;
      assert.equal(child.exitCode, null, log);
    }
    assert.fail(`the gateway did not get ready:\n${log}`);
  }

  async function startNginx(): Promise<number> {
    const ngx = join(dir, 'nginx');
    mkdirSync(ngx, { recursive: true });
    for (const sub of ['client_body', 'proxy', 'uwsgi', 'fastcgi', 'scgi'])
      mkdirSync(join(ngx, sub), { recursive: true });
    // include uwsgi_params resolves beside the config file, as beside /etc/nginx/nginx.conf.
    copyFileSync('/etc/nginx/uwsgi_params', join(ngx, 'uwsgi_params'));
    const port = await freePort();
    const conf = join(ngx, 'nginx.conf');
    const head = nginxMainConfig(ngx, join(ngx, 'error.log')).replace(/^user root;/, '');
    writeFileSync(
      conf,
      `user www-data;\n${head}\n  server {\n    listen 127.0.0.1:${port};\n${block('nginx').replaceAll('/run/tsgi', run).replace(/^/gm, '    ')}  }\n}\n`,
    );
    const child = spawnGroup(NGINX_BIN, ['-c', conf, '-e', join(ngx, 'error.log')], {
      stdio: 'ignore',
    });
    stopAll.push(() => stopGroup(child, { signal: 'SIGQUIT', graceMs: 5000 }));
    await waitForPort(port);
    return port;
  }

  it('the commands as written: nginx (as www-data) reaches the app through the socket', async () => {
    await startGateway(commands(await freePort()));
    assert.ok(existsSync(join(run, 'app.sock')));
    const port = await startNginx();
    const response = await fetch(`http://127.0.0.1:${port}/hi`);
    assert.equal(response.status, 200, readFileSync(join(dir, 'nginx/error.log'), 'utf8'));
    assert.equal(await response.text(), 'Hello from /hi\n');
  });

  it('control: --chmod-socket 660 without --chown-socket leaves nginx a 502 (EACCES)', async () => {
    for (const stop of stopAll.splice(0).reverse()) await stop();
    rmSync(run, { recursive: true, force: true });
    await startGateway(commands(await freePort(), '660'));
    const port = await startNginx();
    const response = await fetch(`http://127.0.0.1:${port}/hi`);
    assert.equal(response.status, 502);
    assert.match(readFileSync(join(dir, 'nginx/error.log'), 'utf8'), /Permission denied/);
  });
});
