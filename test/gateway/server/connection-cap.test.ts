/**
 * Idle-connection floods and stalled readers, from outside: silent connections beyond the cap or
 * the fd limit must not lock real clients out, and a client that never reads must not keep a
 * whole response in memory past socket-timeout.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import { ROOT } from '../../helpers/gateway.js';
import { spawnGroup, stopGroup } from '../../helpers/process-group.js';
import { rawRequest, uwsgiGet } from '../../helpers/uwsgi-client.js';
import app from '../fixtures/app.js';

/** Opens `count` connections that send nothing; resolves once all are connected (or failed). */
async function idleFlood(port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          const s = connect(port, '127.0.0.1');
          sockets.push(s);
          s.on('error', () => resolve());
          s.once('connect', () => resolve());
        }),
    ),
  );
  // Connected is not accepted yet: let the server work through its accept queue, so the real
  // clients come after the flood rather than in the middle of it.
  await new Promise((r) => setTimeout(r, 500));
  return sockets;
}

async function realClients(httpPort: number, uwsgiPort: number): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const http = await rawRequest(
      { host: '127.0.0.1', port: httpPort },
      Buffer.from('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      { timeoutMs: 5000 },
    );
    assert.match(http.data.toString('latin1'), /^HTTP\/1\.1 200 /, `HTTP ${http.end}`);
    const uwsgi = await rawRequest({ host: '127.0.0.1', port: uwsgiPort }, uwsgiGet('/hello'), {
      timeoutMs: 5000,
    });
    assert.match(uwsgi.data.toString('latin1'), /^HTTP\/1\.1 200 /, `uwsgi ${uwsgi.end}`);
  }
}

/** Sends a request, reads nothing for `waitMs`, then reads to the end: the bytes that came. */
function stalledDownload(port: number, request: Uint8Array, waitMs: number): Promise<number> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let bytes = 0;
    s.on('error', () => {});
    s.once('connect', () => {
      s.write(request);
      s.pause();
      setTimeout(() => {
        s.on('data', (c: Buffer) => {
          bytes += c.length;
        });
        s.resume();
      }, waitMs);
    });
    s.on('close', () => resolve(bytes));
    setTimeout(() => s.destroy(), waitMs + 10_000);
  });
}

describe('gateway/server connection cap and write timeout', () => {
  const lines: string[] = [];
  let gateway: Gateway;
  let httpPort: number;
  let uwsgiPort: number;

  before(async () => {
    gateway = await serve(app, {
      http: ['127.0.0.1:0'],
      socket: ['127.0.0.1:0'],
      workerConnections: 40,
      socketTimeout: 1,
      logger: createLogger({ write: (line) => lines.push(line) }),
    });
    const portOf = (kind: string) =>
      Number(gateway.addresses.find((a) => a.kind === kind)!.address.split(':')[1]);
    httpPort = portOf('http');
    uwsgiPort = portOf('uwsgi');
  });
  after(() => gateway?.close({ force: true }));

  it('closes the oldest idle connections to admit real clients past worker-connections', async () => {
    const flood = [...(await idleFlood(httpPort, 100)), ...(await idleFlood(uwsgiPort, 100))];
    try {
      await realClients(httpPort, uwsgiPort);
      assert.ok(lines.some((l) => l.includes('worker-connections 40 reached')));
      // The oldest went first.
      assert.ok(flood[0]!.destroyed || flood[0]!.readableEnded || flood[0]!.closed);
    } finally {
      for (const s of flood) s.destroy();
    }
  });

  it('closes idle keep-alive connections the same way', async () => {
    const kept: Socket[] = [];
    for (let i = 0; i < 60; i++) {
      const s = connect(httpPort, '127.0.0.1');
      s.on('error', () => {});
      await new Promise<void>((resolve) => {
        s.once('data', () => resolve());
        s.once('close', () => resolve());
        s.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      kept.push(s);
    }
    try {
      await realClients(httpPort, uwsgiPort);
    } finally {
      for (const s of kept) s.destroy();
    }
  });

  for (const kind of ['http', 'uwsgi'] as const) {
    it(`frees a 20 MiB response a ${kind} client never reads after socket-timeout`, async () => {
      const size = 20 * 1024 * 1024;
      const request =
        kind === 'http'
          ? Buffer.from(`GET /big?size=${size} HTTP/1.1\r\nHost: x\r\n\r\n`)
          : uwsgiGet(`/big?size=${size}`);
      const before = lines.length;
      const received = await stalledDownload(kind === 'http' ? httpPort : uwsgiPort, request, 4000);
      assert.ok(received < size, `received ${received} of ${size}`);
      assert.ok(lines.slice(before).some((l) => l.includes('ERR_GATEWAY_WRITE_TIMEOUT')));
    });
  }
});

describe('gateway under file-descriptor pressure (ulimit -n 256, default worker-connections)', () => {
  let child: ChildProcess;
  const output: string[] = [];
  let httpPort = 0;
  let uwsgiPort = 0;

  before(async () => {
    const node = JSON.stringify(process.execPath);
    child = spawnGroup(
      'sh',
      [
        '-c',
        `ulimit -n 256 && exec ${node} --conditions=source --import tsx gateway/cli.ts --http-socket 127.0.0.1:0 --socket 127.0.0.1:0 test/gateway/fixtures/app.ts`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(output.join(''))), 20_000);
      const onData = (c: Buffer) => {
        output.push(c.toString());
        const text = output.join('');
        const http = /http socket bound to 127\.0\.0\.1:(\d+)/.exec(text);
        const uwsgi = /uwsgi socket bound to 127\.0\.0\.1:(\d+)/.exec(text);
        if (http && uwsgi) {
          httpPort = Number(http[1]);
          uwsgiPort = Number(uwsgi[1]);
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', () => reject(new Error(`exited: ${output.join('')}`)));
    });
  });
  after(() => stopGroup(child, { signal: 'SIGKILL' }));

  it('keeps answering real clients through a flood of 600 silent connections', async () => {
    const flood = [...(await idleFlood(httpPort, 300)), ...(await idleFlood(uwsgiPort, 300))];
    try {
      await realClients(httpPort, uwsgiPort);
    } finally {
      for (const s of flood) s.destroy();
    }
    assert.equal(child.exitCode, null, output.join(''));
  });
});

for (const disableFastTransport of [false, true]) {
  describe(`gateway/server connection cap: every connection busy (fast transport ${disableFastTransport ? 'off' : 'on'})`, () => {
    const lines: string[] = [];
    let gateway: Gateway;
    let httpPort: number;

    before(async () => {
      gateway = await serve(app, {
        http: ['127.0.0.1:0'],
        workerConnections: 2,
        disableFastTransport,
        logger: createLogger({ write: (line) => lines.push(line) }),
      });
      httpPort = Number(gateway.addresses[0]!.address.split(':')[1]);
    });
    // A stop used to wait forever for the refused connection (never read, so never closed).
    after(() => gateway?.close({ force: true }));

    it('answers 503 with a request line when no connection is idle', async () => {
      const busy: Socket[] = [];
      try {
        for (let i = 0; i < 2; i++) {
          const s = connect(httpPort, '127.0.0.1');
          s.on('error', () => {});
          busy.push(s);
          // Streaming for seconds: the connection is busy, not idle, while the third one comes.
          await new Promise<void>((resolve) => {
            s.once('data', () => resolve());
            s.write('GET /stream?n=500 HTTP/1.1\r\nHost: x\r\n\r\n');
          });
        }
        const reply = await rawRequest(
          { host: '127.0.0.1', port: httpPort },
          Buffer.from('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n'),
          { timeoutMs: 5000 },
        );
        assert.match(reply.data.toString('latin1'), /^HTTP\/1\.1 503 /);
        assert.ok(
          lines.some((l) => / - => 503 0 bytes/.test(l)),
          lines.join('\n'),
        );
      } finally {
        for (const s of busy) s.destroy();
      }
    });
  });
}
