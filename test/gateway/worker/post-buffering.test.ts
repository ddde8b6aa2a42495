/**
 * --post-buffering N behind real nginx: small bodies (in memory) and large ones (spooled to a temp
 * file) reach the app intact, and the app is called only once the whole body is in.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type MasterProcess, startMaster, TEST_APP } from '../../helpers/master.js';
import { type NginxFront, startNginxFront } from '../../helpers/nginx-front.js';

function body(size: number): { bytes: Uint8Array; sum: number } {
  const bytes = new Uint8Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    bytes[i] = (i * 31 + 7) & 0xff;
    sum = (sum + bytes[i]!) >>> 0;
  }
  return { bytes, sum };
}

const spools = () => readdirSync(tmpdir()).filter((n) => n.startsWith('tsgi-post-')).length;

describe('gateway/worker: post-buffering', () => {
  let dir: string;
  let master: MasterProcess;
  let nginx: NginxFront;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-postbuf-'));
    const sock = join(dir, 'app.sock');
    master = await startMaster(
      ['--master', '--post-buffering', '4096', '--socket', sock, '--disable-logging', TEST_APP],
      {
        workers: 1,
      },
    );
    nginx = await startNginxFront(sock);
  });

  after(async () => {
    await nginx?.stop();
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const size of [100, 4096, 4097, 3 * 1024 * 1024]) {
    it(`a ${size}-byte body reaches the app intact`, async () => {
      const { bytes, sum } = body(size);
      const spoolsBefore = spools();
      const res = await fetch(`${nginx.url}/echo`, { method: 'POST', body: bytes });
      assert.equal(res.status, 200);
      assert.equal((await res.text()).trim(), `len ${size} sum ${sum}`);
      assert.equal(spools(), spoolsBefore, 'the temp file is gone after the request');
    });
  }
});
