/**
 * --uid without --gid, as root: the master and its workers take the user's primary group and its
 * supplementary groups (initgroups), never keep root's group. A uid that /etc/passwd does not
 * know needs an explicit --gid. Needs root (CI runs as root); the second user is `nobody`.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type MasterProcess, runCli, startMaster, TEST_APP } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

const NOBODY = 65534;

interface Ids {
  uid: number;
  gid: number;
  groups: number[];
}

function idsOf(pid: number): Ids {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = (name: string) =>
    (new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1] ?? '').trim().split(/\s+/);
  return {
    uid: Number(line('Uid')[0]),
    gid: Number(line('Gid')[0]),
    groups: line('Groups')
      .filter((g) => g !== '')
      .map(Number)
      .sort((a, b) => a - b),
  };
}

/** What initgroups gives `nobody`: its primary group plus the groups /etc/group lists it in. */
function nobodyGroups(): number[] {
  return execFileSync('id', ['-G', 'nobody'], { encoding: 'utf8' })
    .trim()
    .split(/\s+/)
    .map(Number)
    .sort((a, b) => a - b);
}

function nobodyPrimaryGid(): number {
  return Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
}

/** A uid with no /etc/passwd entry. */
function unknownUid(): number {
  for (let uid = 4242; ; uid++) {
    if (spawnSync('getent', ['passwd', String(uid)]).status !== 0) return uid;
  }
}

describe('gateway/master: --uid sets the group too', () => {
  let dir: string;
  const masters: MasterProcess[] = [];

  before(() => {
    // Never skipped: a privilege drop can only be checked as root (CI is root).
    assert.equal(process.getuid?.(), 0, 'these tests need root (CI runs as root)');
    dir = mkdtempSync(join(tmpdir(), 'tsgi-identity-'));
    chmodSync(dir, 0o755);
  });
  after(async () => {
    for (const m of masters) await m.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const uid of [String(NOBODY), 'nobody']) {
    it(`--uid ${uid} (no --gid): master and workers run as nobody's group, with its groups only`, async () => {
      const sock = join(dir, `uid-${uid}.sock`);
      const m = await startMaster(
        [
          '--master',
          '--processes',
          '2',
          '--socket',
          sock,
          '--chmod-socket',
          '666',
          '--uid',
          uid,
          TEST_APP,
        ],
        { workers: 2 },
      );
      masters.push(m);
      const expected: Ids = { uid: NOBODY, gid: nobodyPrimaryGid(), groups: nobodyGroups() };
      assert.deepEqual(idsOf(m.pid), expected, 'the master');
      for (const pid of m.readyPids()) assert.deepEqual(idsOf(pid), expected, `worker ${pid}`);
      assert.equal((await uwsgiGet(sock, '/')).status, 200);
      await m.stop();
    });
  }

  it('--uid N unknown to /etc/passwd, no --gid: refused with ERR_MASTER_IDENTITY (never gid 0)', () => {
    const uid = unknownUid();
    const out = runCli([
      '--master',
      '--socket',
      join(dir, 'unknown.sock'),
      '--uid',
      String(uid),
      TEST_APP,
    ]);
    assert.equal(out.status, 3, out.stderr);
    assert.match(out.stderr, /ERR_MASTER_IDENTITY/);
    assert.match(out.stderr, new RegExp(`uid ${uid}.*--gid`));
  });

  it('--uid N unknown to /etc/passwd with --gid G: runs as N:G with G as its only group', async () => {
    const uid = unknownUid();
    const sock = join(dir, 'unknown-gid.sock');
    const m = await startMaster(
      [
        '--master',
        '--socket',
        sock,
        '--chmod-socket',
        '666',
        '--uid',
        String(uid),
        '--gid',
        String(uid),
        TEST_APP,
      ],
      { workers: 1 },
    );
    masters.push(m);
    const expected: Ids = { uid, gid: uid, groups: [uid] };
    assert.deepEqual(idsOf(m.pid), expected, 'the master');
    assert.deepEqual(idsOf(m.readyPids()[0]!), expected, 'the worker');
    await m.stop();
  });
});
