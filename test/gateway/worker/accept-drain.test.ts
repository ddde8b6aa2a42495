/**
 * The pieces of the graceful stop's accept drain, on real unix sockets: watchAccepts counts the
 * accepts at the listen handle, acceptDrain ends once no connection comes, and unlinkOwnSocket
 * removes the socket file a master bound but never a file that took its place.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { bindHandle, unlinkOwnSocket } from '../../../gateway/master/bind.js';
import type { ListenerSpec } from '../../../gateway/server/listeners.js';
import { acceptDrain, watchAccepts } from '../../../gateway/worker/accept-drain.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgi-accept-drain-'));
const log = createLogger({ disableLogging: true });

function open(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ path });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

describe('gateway/worker/accept-drain', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];

  after(async () => {
    for (const s of sockets) s.destroy();
    for (const s of servers) await new Promise((r) => s.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts every accept and ends the drain once none comes', async () => {
    const path = join(dir, 'watch.sock');
    const server = createServer((s) => sockets.push(s));
    servers.push(server);
    await new Promise<void>((r) => server.listen(path, r));
    const watch = watchAccepts([server]);
    for (let i = 0; i < 3; i++) sockets.push(await open(path));
    while (watch.accepted() < 3) await new Promise((r) => setTimeout(r, 5));
    assert.equal(watch.accepted(), 3);
    assert.ok(watch.lastAccept() > 0);
    const before = watch.accepted();
    await acceptDrain(watch, 20, 500);
    assert.equal(watch.accepted(), before, 'nothing more came');
  });

  it('accepts a connection that arrives during the drain', async () => {
    const path = join(dir, 'during.sock');
    const server = createServer((s) => sockets.push(s));
    servers.push(server);
    await new Promise<void>((r) => server.listen(path, r));
    const watch = watchAccepts([server]);
    const draining = acceptDrain(watch, 100, 1000);
    sockets.push(await open(path));
    await draining;
    assert.equal(watch.accepted(), 1);
  });

  it('unlinkOwnSocket removes the file it bound, not a file put in its place', async () => {
    const path = join(dir, 'own.sock');
    const spec: ListenerSpec = { kind: 'uwsgi', spec: path, address: { type: 'unix', path } };
    const first = await bindHandle(
      spec as never,
      { chmodSocket: undefined, chownSocket: null },
      log,
    );
    assert.ok(existsSync(path));
    assert.equal(unlinkOwnSocket(first), path);
    assert.equal(existsSync(path), false);
    assert.equal(unlinkOwnSocket(first), null, 'already gone');
    writeFileSync(path, 'someone else');
    assert.equal(unlinkOwnSocket(first), null);
    assert.ok(existsSync(path), 'a newer file at the path stays');
    first.handle.close();
  });
});
