// Differential check with uWSGI's own clients (Debian's uwsgi + ping/signal plugins): they must
// accept our replies byte for byte.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGateway } from '../../helpers/gateway.js';
import { freePort } from '../../helpers/ports.js';

function uwsgi(args: string[]): { status: number | null; output: string } {
  const r = spawnSync('uwsgi', args, { encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('gateway vs uWSGI clients (uwsgi --ping, uwsgi --signal)', () => {
  let gateway: GatewayProcess;
  let address: string;

  before(async () => {
    address = `127.0.0.1:${await freePort()}`;
    gateway = await startGateway(['--socket', address, 'test/gateway/fixtures/signals.ts']);
  });
  after(() => gateway?.stop());

  it('uwsgi --ping exits 0', () => {
    const r = uwsgi(['--plugin', 'ping', '--ping', address]);
    assert.equal(r.status, 0, r.output);
  });

  it('uwsgi --signal is delivered to a registered handler, rejected otherwise', async () => {
    const ok = uwsgi(['--plugin', 'signal', '--signal', `${address},7`]);
    assert.match(ok.output, /signal 7 delivered/);
    await gateway.waitForLine(/app: got uwsgi signal 7/);
    const rejected = uwsgi(['--plugin', 'signal', '--signal', `${address},8`]);
    assert.match(rejected.output, /rejected signal 8/);
  });
});
