/**
 * A reload re-reads the configuration (like gunicorn's SIGHUP): a changed `processes` in the ini
 * file takes effect; and a reload whose new worker cannot load the app is abandoned while the old
 * worker keeps serving.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { alive, type MasterProcess, ROOT, startMaster } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

describe('gateway/master: reload re-reads the configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-reload-config-'));
  const masters: MasterProcess[] = [];
  after(async () => {
    for (const m of masters) await m.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies a changed processes value from the ini file on SIGHUP', async () => {
    const app = join(dir, 'app.ts');
    copyFileSync(join(ROOT, 'test/gateway/master/fixtures/app.ts'), app);
    const ini = join(dir, 'tsgi.ini');
    const sock = join(dir, 'ini.sock');
    const text = (n: number) =>
      `[tsgi]\nmaster = true\nprocesses = ${n}\nsocket = ${sock}\ndisable-logging = true\napp = ${app}\n`;
    writeFileSync(ini, text(1));
    const m = await startMaster(['--ini', ini], { workers: 1 });
    masters.push(m);
    writeFileSync(ini, text(2));
    process.kill(m.pid, 'SIGHUP');
    await m.waitForLine(/reload applies processes: 1 → 2/);
    await m.waitFor('two new workers', () => m.readyPids().length >= 3, 20_000);
    await m.waitForLine(/worker target now 2 \(configuration changed\)/);
    assert.equal((await uwsgiGet(sock, '/')).status, 200);
  });

  it('abandons a reload whose new worker cannot load the app; the old worker keeps serving', async () => {
    const app = join(dir, 'breakable.ts');
    copyFileSync(join(ROOT, 'test/gateway/master/fixtures/app.ts'), app);
    const sock = join(dir, 'break.sock');
    const m = await startMaster(['--master', '--socket', sock, '--disable-logging', app], {
      workers: 1,
    });
    masters.push(m);
    const [old] = m.readyPids();
    const good = readFileSync(app, 'utf8');
    writeFileSync(app, `throw new Error('broken on purpose');\n${good}`);
    process.kill(m.pid, 'SIGHUP');
    await m.waitForLine(/ERR_MASTER_RELOAD_FAILED/, 20_000);
    assert.ok(alive(old!));
    const r = await uwsgiGet(sock, '/');
    assert.equal(r.status, 200);
    assert.equal(r.text.trim(), `ok ${old}`);
    writeFileSync(app, good);
    process.kill(m.pid, 'SIGHUP');
    await m.waitFor('a reloaded worker', () => m.readyPids().length >= 2, 20_000);
    await m.waitFor('the old worker gone', () => !alive(old!), 20_000);
  });
});
