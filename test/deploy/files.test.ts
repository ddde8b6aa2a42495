/**
 * deploy/'s systemd unit and logrotate rule, checked by the real tools: `systemd-analyze verify`
 * (Debian's systemd package; it runs without systemd as PID 1) and `logrotate -d`. Both are made
 * to fail on a broken copy, so a pass means something.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { installApp, makePaths, readDeploy, template } from './lib/deploy-files.js';
import { tsgiLauncher } from './lib/tsgi-cli.js';
import { parseUnit, unitEnvironment, unitValue } from './lib/unit-file.js';

const paths = makePaths('tsgi-deploy-files-');
installApp(paths, tsgiLauncher());
after(() => rmSync(paths.root, { recursive: true, force: true }));

function verify(text: string, name = 'tsgi@.service') {
  const file = join(paths.conf, name);
  writeFileSync(file, text);
  const res = spawnSync('systemd-analyze', ['verify', '--man=no', file], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  // verify exits 0 on unknown keys and bad values, but says so: any output about our file counts.
  const complaints = `${res.stdout}${res.stderr}`
    .split('\n')
    .filter((l) => l.includes(name.replace('@.', '@')) || l.includes(file));
  return { status: res.status, complaints, output: `${res.stdout}${res.stderr}` };
}

describe('deploy/tsgi@.service', () => {
  const text = readDeploy('tsgi@.service');
  const unit = parseUnit(text);

  it('passes `systemd-analyze verify` (paths templated so ExecStart= exists)', () => {
    const res = verify(template(text, paths));
    assert.equal(res.status, 0, res.output);
    assert.deepEqual(res.complaints, [], res.output);
  });

  it('the verify check fails on a misspelled key and on a bad value', () => {
    const typo = verify(template(text, paths).replace(/^KillSignal=/m, 'KilSignal='));
    assert.ok(
      typo.complaints.some((l) => /Unknown key/.test(l)),
      typo.output,
    );
    const bad = verify(template(text, paths).replace(/^KillMode=mixed$/m, 'KillMode=sometimes'));
    assert.ok(bad.complaints.length > 0, bad.output);
  });

  it('reloads with SIGHUP, stops with SIGTERM, restarts on failure, owns the socket directory', () => {
    assert.equal(unitValue(unit, 'Service', 'ExecReload'), '/bin/kill -HUP $MAINPID');
    assert.equal(unitValue(unit, 'Service', 'KillSignal'), 'SIGTERM');
    assert.equal(unitValue(unit, 'Service', 'KillMode'), 'mixed');
    assert.equal(unitValue(unit, 'Service', 'Restart'), 'on-failure');
    assert.equal(unitValue(unit, 'Service', 'RestartPreventExitStatus'), '2 4');
    assert.equal(unitValue(unit, 'Service', 'RuntimeDirectory'), 'tsgi/myapp-%i');
    assert.equal(unitValue(unit, 'Service', 'LogsDirectory'), 'tsgi');
    assert.equal(unitEnvironment(unit, '7').INSTANCE, '7');
    assert.match(
      unitValue(unit, 'Service', 'ExecStart') ?? '',
      /tsgi --ini \/etc\/tsgi\/myapp\.ini$/,
    );
    assert.equal(unitValue(unit, 'Install', 'WantedBy'), 'multi-user.target');
  });

  it('no ExecStop=: the master removes its socket itself on KillSignal (docs/signals.md)', () => {
    assert.deepEqual(unit.get('Service')?.get('ExecStop') ?? [], []);
  });

  it('waits longer than the accept drain plus reload-mercy before SIGKILL', async () => {
    const { findOption } = await import('../../gateway/config/index.js');
    const mercy = Math.max(
      findOption('worker-reload-mercy')?.spec.default as number,
      findOption('reload-mercy')?.spec.default as number,
    );
    const { ACCEPT_DRAIN_MAX_MS } = await import('../../gateway/worker/accept-drain.js');
    const drain = ACCEPT_DRAIN_MAX_MS / 1000;
    assert.ok(Number(unitValue(unit, 'Service', 'TimeoutStopSec')) > mercy + drain);
  });

  it('the unit reader refuses a line that is not Key=value', () => {
    assert.throws(() => parseUnit('[Service]\nExecStart /bin/true\n'), /line 2/);
  });
});

describe('deploy/logrotate-tsgi', () => {
  const rule = template(readDeploy('logrotate-tsgi'), paths);

  function debugRun(text: string) {
    const conf = join(paths.conf, 'logrotate-tsgi');
    writeFileSync(conf, text, { mode: 0o644 });
    writeFileSync(join(paths.log, 'myapp-1.log'), 'a line\n');
    return spawnSync('logrotate', ['-d', '-f', '-s', join(paths.conf, 'state'), conf], {
      encoding: 'utf8',
      timeout: 30_000,
    });
  }

  it('passes `logrotate -d` and would rotate the logto files and run the reopen script', () => {
    const res = debugRun(rule);
    const out = `${res.stdout}${res.stderr}`;
    assert.equal(res.status, 0, out);
    assert.doesNotMatch(out, /error/i);
    assert.match(out, /rotating log .*myapp-1\.log/);
    assert.match(out, /running postrotate script/);
  });

  it('the check fails on a broken rule', () => {
    const res = debugRun(rule.replace('rotate 14', 'rotat 14'));
    assert.match(`${res.stdout}${res.stderr}`, /error/i);
  });

  it('sends SIGUSR2, the signal the master reopens its logto file on', async () => {
    const { CONTROL_TABLE } = await import('../../gateway/master/signals.js');
    assert.match(rule, /kill -USR2/);
    const reopen = CONTROL_TABLE.find((a) => a.action === 'reopen-log');
    assert.equal(reopen?.signal, 'SIGUSR2');
  });
});
