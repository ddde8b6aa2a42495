/**
 * deploy/tsgi@.socket: checked by `systemd-analyze verify` next to the service it activates, its
 * socket path agreeing with the ini and nginx's upstream, and a gateway started the way systemd
 * starts it under this socket (systemd-socket-activate passing the socket as fd 3, the service's
 * ExecStart=, Environment= and WorkingDirectory=) serving it and leaving the file in place.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnGroup, stopGroup } from '../helpers/process-group.js';
import { parseResponse, rawRequest, uwsgiGet } from '../helpers/uwsgi-client.js';
import { installApp, installIni, makePaths, readDeploy, template } from './lib/deploy-files.js';
import { iniKeys, tsgiLauncher } from './lib/tsgi-cli.js';
import {
  execStart,
  expandSpecifiers,
  parseUnit,
  unitEnvironment,
  unitValue,
} from './lib/unit-file.js';

const paths = makePaths('tsgi-deploy-socket-');
installApp(paths, tsgiLauncher());
const ini = installIni(paths);
after(() => rmSync(paths.root, { recursive: true, force: true }));

function verify(socketText: string) {
  const dir = join(paths.conf, 'units');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tsgi@.service'), template(readDeploy('tsgi@.service'), paths));
  const file = join(dir, 'tsgi@.socket');
  writeFileSync(file, socketText);
  const res = spawnSync('systemd-analyze', ['verify', '--man=no', file], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  const output = `${res.stdout}${res.stderr}`;
  const complaints = output.split('\n').filter((l) => l.includes('tsgi@') || l.includes(file));
  return { status: res.status, complaints, output };
}

describe('deploy/tsgi@.socket', () => {
  const text = readDeploy('tsgi@.socket');
  const unit = parseUnit(text);

  it('passes `systemd-analyze verify` next to tsgi@.service', () => {
    const res = verify(template(text, paths));
    assert.equal(res.status, 0, res.output);
    assert.deepEqual(res.complaints, [], res.output);
  });

  it('the verify check fails on a misspelled key', () => {
    const res = verify(template(text, paths).replace(/^ListenStream=/m, 'ListenStrem='));
    assert.ok(
      res.complaints.some((l) => /Unknown key|ListenStrem/.test(l)),
      res.output,
    );
  });

  it("listens where the ini's socket and nginx's upstream are, one socket for one service", () => {
    const listen = expandSpecifiers(unitValue(unit, 'Socket', 'ListenStream') ?? '', '1');
    const socket = iniKeys(readDeploy('tsgi.ini')).find((k) => k.key === 'socket')?.value;
    assert.equal(listen, socket?.replace('$(INSTANCE)', '1'));
    assert.match(readDeploy('nginx-myapp.conf'), new RegExp(`server unix:${listen}\\b`));
    assert.equal(unitValue(unit, 'Socket', 'Accept'), 'no');
    assert.equal(unitValue(unit, 'Install', 'WantedBy'), 'sockets.target');
    // The service keeps its runtime directory on stop: the socket file lives there.
    const service = parseUnit(readDeploy('tsgi@.service'));
    assert.equal(unitValue(service, 'Service', 'RuntimeDirectoryPreserve'), 'yes');
  });

  it('a gateway started as systemd would under this socket serves it and leaves the file', async () => {
    const service = parseUnit(template(readDeploy('tsgi@.service'), paths));
    const listen = expandSpecifiers(
      unitValue(parseUnit(template(text, paths)), 'Socket', 'ListenStream') ?? '',
      '1',
    );
    mkdirSync(join(listen, '..'), { recursive: true });
    const env = unitEnvironment(service, '1');
    const child = spawnGroup(
      'systemd-socket-activate',
      [
        '-l',
        listen,
        `--fdname=${unitValue(unit, 'Socket', 'FileDescriptorName')}`,
        ...Object.entries({ ...env, PATH: process.env.PATH ?? '/usr/bin:/bin' }).flatMap(
          ([k, v]) => ['-E', `${k}=${v}`],
        ),
        ...execStart(service, '1'),
      ],
      {
        cwd: unitValue(service, 'Service', 'WorkingDirectory'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stderr?.on('data', (c) => {
      out += c;
    });
    child.stdout?.on('data', (c) => {
      out += c;
    });
    try {
      for (let i = 0; i < 200 && !out.includes('Listening on'); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const reply = await rawRequest({ path: listen }, uwsgiGet('/'), {
        timeoutMs: 30_000,
      });
      assert.equal(parseResponse(reply.data).status, 200, `${out}\n${ini}`);
    } finally {
      await stopGroup(child, { signal: 'SIGTERM', graceMs: 20_000 });
    }
    assert.ok(lstatSync(listen).isSocket(), out);
  });
});
