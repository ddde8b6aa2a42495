/**
 * --post-buffering N behind real nginx: small bodies (in memory) and large ones (spooled to a temp
 * file) reach the app intact, and the app is called only once the whole body is in.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodePacket } from '../../../gateway/uwsgi/index.js';
import { type MasterProcess, startMaster, TEST_APP, waitUntil } from '../../helpers/master.js';
import { type NginxFront, startNginxFront } from '../../helpers/nginx-front.js';
import { freePort } from '../../helpers/ports.js';

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

/** Sends a raw HTTP request (head + the bytes given), then either waits for the answer or aborts. */
function rawHttp(port: number, head: string, body: Uint8Array, abort: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.write(head);
    socket.write(body, () => {
      if (abort) setTimeout(() => socket.destroy(), 100);
    });
  });
}

describe('gateway/worker: post-buffering leaves no file and no descriptor behind', () => {
  let tmp: string;
  let port: number;
  let master: MasterProcess;
  /** Spool folders in the worker's private TMPDIR. */
  const spooled = () => readdirSync(tmp).filter((n) => n.startsWith('tsgi-post-'));
  /** Open descriptors of the worker that point at spooled bodies (deleted or not). */
  const spoolFds = () => {
    const pid = master.readyPids()[0]!;
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).includes('tsgi-post-');
      } catch {
        return false; // closed meanwhile
      }
    }).length;
  };

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tsgi-postbuf-tmp-'));
    port = await freePort();
    master = await startMaster(
      // socket-timeout 3: on the HTTP socket a peer's FIN mid-body is only noticed at that timeout.
      [
        '--master',
        '--post-buffering',
        '4096',
        '--socket-timeout',
        '3',
        '--socket',
        join(tmp, 'app.sock'),
        '--http-socket',
        `127.0.0.1:${port}`,
        TEST_APP,
      ],
      { workers: 1, env: { TMPDIR: tmp } },
    );
  });

  after(async () => {
    await master?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('an upload aborted mid-body removes its temp file (uwsgi socket, as nginx forwards it)', async () => {
    const head = encodePacket({
      REQUEST_METHOD: 'POST',
      REQUEST_URI: '/echo',
      PATH_INFO: '/echo',
      QUERY_STRING: '',
      CONTENT_LENGTH: '100000',
      SERVER_NAME: 'x',
      SERVER_PORT: '80',
      SERVER_PROTOCOL: 'HTTP/1.1',
    });
    const socket = connect(join(tmp, 'app.sock'));
    socket.on('error', () => {});
    socket.write(head);
    socket.write(new Uint8Array(20_000));
    await waitUntil('the spool to start', () => spooled().length === 1);
    socket.destroy();
    // Well before socket-timeout: the closed connection fails the body at once.
    await waitUntil(
      `no spool folder left (${spooled().join(', ')})`,
      () => spooled().length === 0,
      2000,
    );
    assert.equal(spoolFds(), 0);
  });

  it('an upload aborted mid-body removes its temp file (HTTP socket)', async () => {
    const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n';
    await rawHttp(port, head, new Uint8Array(20_000), true);
    // The worker saw the spool start (past 4096 bytes) and then the abort.
    await waitUntil(`no spool folder left (${spooled().join(', ')})`, () => spooled().length === 0);
    assert.equal(spoolFds(), 0);
  });

  it('a spooled body the app never reads: its descriptor is closed when the request ends', async () => {
    const body = new Uint8Array(10_000);
    const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    for (let i = 0; i < 40; i++) {
      const answer = await rawHttp(port, head, body, false);
      assert.match(answer, /^HTTP\/1\.1 200/);
    }
    // Closed at the end of each request, not at some later garbage collection: at most the last
    // request's descriptor may still be closing when its answer arrives (40 leaked before the fix).
    assert.ok(spoolFds() <= 1, `${spoolFds()} spool descriptors open after 40 requests`);
    await waitUntil('the last spool descriptor to close', () => spoolFds() === 0, 2_000);
    assert.deepEqual(spooled(), []);
    assert.ok(
      !master.lines.some((l) => /DEP0137|Closing file descriptor/.test(l)),
      master.lines.join('\n'),
    );
  });
});
