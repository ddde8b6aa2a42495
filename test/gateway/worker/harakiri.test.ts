/**
 * Harakiri with real worker processes. An awaiting request past its deadline gets a 504 while the
 * same worker keeps serving its other requests; a request whose body already started has its
 * connection closed; a worker whose event loop is blocked is killed by the master and replaced,
 * with a log line naming the running request.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectAndRead } from '../../../gateway/stats/connect-and-read.js';
import { alive, type MasterProcess, startMaster, TEST_APP } from '../../helpers/master.js';
import { uwsgiGet } from '../../helpers/master-request.js';

describe('gateway/worker: harakiri', () => {
  let dir: string;
  let sock: string;
  let statsSock: string;
  let master: MasterProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-harakiri-'));
    sock = join(dir, 'app.sock');
    statsSock = join(dir, 'stats.sock');
    master = await startMaster(
      [
        '--master',
        '--processes',
        '1',
        '--harakiri',
        '1',
        '--harakiri-verbose',
        '--socket',
        sock,
        '--stats',
        statsSock,
        TEST_APP,
      ],
      { workers: 1 },
    );
  });

  after(async () => {
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 504 to an awaiting request past its deadline; neighbours on the same worker are unaffected', async () => {
    const [pid] = master.readyPids();
    const slow = uwsgiGet(sock, '/sleep?ms=6000');
    await new Promise((r) => setTimeout(r, 200));
    const neighbours = await Promise.all([
      uwsgiGet(sock, '/'),
      uwsgiGet(sock, '/sleep?ms=300'),
      uwsgiGet(sock, '/'),
    ]);
    for (const n of neighbours) {
      assert.equal(n.status, 200);
      assert.equal(n.text.trim(), `ok ${pid}`);
    }
    const timedOut = await slow;
    assert.equal(timedOut.status, 504, timedOut.text);
    assert.ok(timedOut.ms < 5000, `504 came after ${timedOut.ms} ms`);
    assert.ok(alive(pid!), 'the worker must survive a per-request harakiri');
    await master.waitForLine(
      /HARAKIRI on pid \d+: GET \/sleep\?ms=6000 ran past 1 s \(harakiri\), answered 504/,
    );
    // The stats count it (after the next heartbeat).
    await new Promise((r) => setTimeout(r, 600));
    const doc = JSON.parse(await connectAndRead(statsSock));
    assert.equal(doc.workers[0].harakiri_count, 1);
    assert.equal(doc.workers[0].pid, pid);
  });

  it('closes the connection of a request whose body had started', async () => {
    const reply = await uwsgiGet(sock, '/stall');
    assert.equal(reply.end, 'close');
    assert.equal(reply.status, 200);
    assert.ok(reply.text.startsWith('first chunk'));
    assert.ok(reply.ms < 5000, `closed after ${reply.ms} ms`);
    await master.waitForLine(
      /GET \/stall ran past 1 s \(harakiri\), connection closed mid-response/,
    );
  });

  it('kills and replaces a worker whose event loop is blocked, naming the request', async () => {
    const [pid] = master.readyPids().slice(-1);
    const blocked = uwsgiGet(sock, '/block?ms=20000', 20_000);
    await master.waitForLine(/ERR_HARAKIRI_BLOCKED.*GET \/block\?ms=20000/, 10_000);
    const reply = await blocked;
    assert.notEqual(reply.status, 200);
    await master.waitFor('a replacement worker', () => master.readyPids().length >= 2, 15_000);
    assert.ok(!alive(pid!), 'the blocked worker must be gone');
    const after = await uwsgiGet(sock, '/');
    assert.equal(after.status, 200);
    assert.notEqual(after.text.trim(), `ok ${pid}`);
  });
});
