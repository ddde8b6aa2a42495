// Process-level security: unix socket modes are honoured (checked by connecting as `nobody`, not
// only by reading the mode), stats/metrics listen on loopback unless an address says otherwise,
// and --uid/--gid drop root in the master and every worker after binding. We run as root here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGateway } from '../helpers/gateway.js';
import { type MasterProcess, startMaster } from '../helpers/master.js';
import { freePort } from '../helpers/ports.js';
import { parseResponse, rawRequest } from '../helpers/uwsgi-client.js';
import { APP, requestPacket } from './lib.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Connects to a unix socket as nobody:nogroup (setpriv), sends a GET /hello; what happened. */
function connectAsNobody(path: string): string {
  const script = `
    const s = require('node:net').connect(process.env.SOCK);
    s.on('connect', () => { console.log('connected'); s.destroy(); });
    s.on('error', (e) => console.log(e.code));`;
  const r = spawnSync(
    'setpriv',
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', script],
    { env: { SOCK: path, PATH: process.env.PATH }, encoding: 'utf8', timeout: 15_000 },
  );
  return (r.stdout || r.stderr).trim();
}

function idsOf(pid: number): { uid: number; gid: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
  const gid = Number(/^Gid:\s+(\d+)/m.exec(status)?.[1]);
  return { uid, gid };
}

describe('security: sockets, stats binding, privileges', () => {
  let dir: string;
  const gateways: GatewayProcess[] = [];
  const masters: MasterProcess[] = [];

  before(() => {
    // Never skipped: privilege drops and socket modes can only be checked as root (CI is root).
    assert.ok(isRoot, 'these tests need root: run them as root (scripts/setup.sh does the same)');
    dir = mkdtempSync(join(tmpdir(), 'tsgi-security-'));
    // nobody must be able to reach the sockets' directory; the socket mode alone decides.
    chmodSync(dir, 0o755);
  });

  after(async () => {
    for (const m of masters) await m.stop();
    for (const g of gateways) await g.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [mode, nobodyCan] of [
    ['600', false],
    ['660', false],
    ['666', true],
    [undefined, false],
  ] as const) {
    it(`--chmod-socket ${mode ?? '(none)'}: mode on disk, and nobody ${nobodyCan ? 'can' : 'cannot'} connect`, async () => {
      const sock = join(dir, `mode-${mode ?? 'default'}.sock`);
      const gateway = await startGateway([
        '--socket',
        sock,
        ...(mode ? ['--chmod-socket', mode] : []),
        '--disable-logging',
        APP,
      ]);
      gateways.push(gateway);
      const onDisk = statSync(sock).mode & 0o777;
      if (mode) assert.equal(onDisk.toString(8), mode);
      else
        assert.equal(onDisk & 0o002, 0, `default mode ${onDisk.toString(8)} lets anyone connect`);
      assert.equal(connectAsNobody(sock), nobodyCan ? 'connected' : 'EACCES');
      // Root (the owner) always gets served.
      const reply = await rawRequest({ path: sock }, requestPacket('GET', '/hello'));
      assert.equal(parseResponse(reply.data).status, 200);
      await gateway.stop();
    });
  }

  for (const http of [false, true]) {
    it(`--stats${http ? ' --stats-http' : ''} :PORT listens on loopback only`, async () => {
      const port = await freePort();
      const master = await startMaster(
        [
          '--master',
          '--processes',
          '1',
          '--socket',
          join(dir, `stats-${http}.sock`),
          '--stats',
          `:${port}`,
          ...(http ? ['--stats-http'] : []),
          '--disable-logging',
          APP,
        ],
        { workers: 1 },
      );
      masters.push(master);
      const line = await master.waitForLine(/stats server on/);
      assert.match(line, new RegExp(`stats server on 127\\.0\\.0\\.1:${port}\\b`), line);
      // And the kernel agrees: the listening socket is bound to 127.0.0.1 (/proc/net/tcp, hex).
      const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
      const listening = readFileSync('/proc/net/tcp', 'utf8')
        .split('\n')
        .filter((l) => l.includes(`:${hexPort} `) && / 0A /.test(l));
      assert.ok(listening.length > 0, 'nothing listens on the stats port');
      for (const l of listening) assert.match(l, new RegExp(`^\\s*\\d+: 0100007F:${hexPort} `), l);
      await master.stop();
    });
  }

  it('--stats 0.0.0.0:PORT (told otherwise) binds every interface and warns', async () => {
    const port = await freePort();
    const master = await startMaster(
      [
        '--master',
        '--processes',
        '1',
        '--socket',
        join(dir, 'stats-any.sock'),
        '--stats',
        `0.0.0.0:${port}`,
        '--disable-logging',
        APP,
      ],
      { workers: 1 },
    );
    masters.push(master);
    await master.waitForLine(/stats server on 0\.0\.0\.0/);
    assert.ok(
      master.lines.some((l) => /warning.*stats.*(loopback|every interface|0\.0\.0\.0)/i.test(l)),
      `no warning about a public stats address:\n${master.lines.join('\n')}`,
    );
    await master.stop();
  });

  it('--uid nobody --gid nogroup: master and workers run as nobody after binding', async () => {
    const sock = join(dir, 'uid.sock');
    const master = await startMaster(
      [
        '--master',
        '--processes',
        '2',
        '--socket',
        sock,
        '--chmod-socket',
        '666',
        '--uid',
        'nobody',
        '--gid',
        'nogroup',
        '--disable-logging',
        APP,
      ],
      { workers: 2 },
    );
    masters.push(master);
    // The socket was bound as root before the drop.
    assert.equal(statSync(sock).uid, 0);
    assert.deepEqual(idsOf(master.pid), { uid: NOBODY, gid: NOBODY }, 'the master kept root');
    for (const pid of master.readyPids()) {
      assert.deepEqual(idsOf(pid), { uid: NOBODY, gid: NOBODY }, `worker ${pid} kept root`);
    }
    // The app sees it too, and serves.
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const reply = await rawRequest({ path: sock }, requestPacket('GET', '/process'));
      const body = JSON.parse(parseResponse(reply.data).body.toString());
      seen.add(`${body.uid}:${body.gid}`);
    }
    assert.deepEqual([...seen], [`${NOBODY}:${NOBODY}`]);
    await master.stop();
  });
});
