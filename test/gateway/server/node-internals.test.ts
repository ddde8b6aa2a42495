/**
 * The fast transport's start-up probe on Node 20 (this process's node) and Node 24 (npm's
 * node@24, as scripts/test.mjs finds it), under every deprecation flag and the permission model;
 * and a master whose workers run under --pending-deprecation --throw-deprecation keeps serving.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { nodeBinary } from '../../../scripts/node-binary.mjs';
import { type MasterProcess, ROOT, startMaster } from '../../helpers/master.js';
import { freePort } from '../../helpers/ports.js';
import { rawRequest, uwsgiGet } from '../../helpers/uwsgi-client.js';

const PROBE = `import('./gateway/server/node-internals.ts').then((m) => {
  const p = m.probeFastTransport();
  setTimeout(() => console.log(JSON.stringify({ on: p.on, reason: p.reason })), 20);
});`;

function probeOn(node: string, flags: string[]) {
  const res = spawnSync(
    node,
    [...flags, '--conditions=source', '--import', 'tsx', '--input-type=module', '-e', PROBE],
    { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
  );
  const last = res.stdout.trim().split('\n').at(-1) ?? '';
  return { status: res.status, stderr: res.stderr, result: last ? JSON.parse(last) : undefined };
}

const node24 = nodeBinary(24, ROOT) as { path?: string; version?: string; error?: string };
const nodes: Array<[string, string]> = [[process.version, process.execPath]];
if (node24.path) nodes.push([node24.version!, node24.path]);

describe('gateway/server/node-internals probe', () => {
  it('finds Node 24 (the probe must run on both majors CI covers)', () => {
    assert.ok(node24.path, node24.error);
  });

  for (const [version, node] of nodes) {
    for (const flags of [
      [],
      ['--throw-deprecation'],
      ['--pending-deprecation'],
      ['--pending-deprecation', '--throw-deprecation'],
      ['--no-deprecation'],
    ]) {
      it(`${version} ${flags.join(' ') || '(no flags)'}: on, no warning, no crash`, () => {
        const { status, stderr, result } = probeOn(node, flags);
        assert.equal(status, 0, stderr);
        assert.deepEqual(result, { on: true, reason: '' });
        assert.doesNotMatch(stderr, /DEP0111|DeprecationWarning/);
      });
    }
    it(`${version} under the permission model: off, saying why`, () => {
      const permission =
        Number(version.slice(1).split('.')[0]) >= 22 ? '--permission' : '--experimental-permission';
      const { status, stderr, result } = probeOn(node, [
        permission,
        '--allow-fs-read=*',
        '--allow-worker',
      ]);
      assert.equal(status, 0, stderr);
      assert.equal(result.on, false);
      assert.match(result.reason, /permission model/);
    });
  }
});

describe('a master under NODE_OPTIONS=--pending-deprecation --throw-deprecation', () => {
  let master: MasterProcess;
  let port: number;

  before(async () => {
    port = await freePort();
    master = await startMaster(
      [
        '--master',
        '--processes',
        '2',
        '--socket',
        `127.0.0.1:${port}`,
        'test/gateway/fixtures/app.ts',
      ],
      { env: { NODE_OPTIONS: '--pending-deprecation --throw-deprecation' }, workers: 2 },
    );
  });
  after(() => master?.stop('SIGKILL'));

  it('keeps its workers serving on the fast transport, with no DEP0111 line', async () => {
    for (let i = 0; i < 20; i++) {
      const reply = await rawRequest({ host: '127.0.0.1', port }, uwsgiGet('/hello'), {
        timeoutMs: 5000,
      });
      assert.match(reply.data.toString('latin1'), /^HTTP\/1\.1 200 /);
    }
    await new Promise((r) => setTimeout(r, 300));
    const text = master.lines.join('\n');
    assert.doesNotMatch(text, /DEP0111|DeprecationWarning|exited|respawn/i);
    assert.equal(master.readyPids().length, 2, text);
    assert.match(text, /uwsgi fast transport on/);
  });
});
