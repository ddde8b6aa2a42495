/** Loopback helpers: free ports, waiting for a listener, one checked request. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Tracked } from './processes.js';

/** A port the kernel just handed out on 127.0.0.1 (closed again, so a server can bind it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

function canConnect(target: { port: number; host: string } | { path: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(target as { port: number; host: string });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** Waits until `addr` (`host:port` or a unix path) accepts connections; fails if `proc` dies. */
export async function waitForListen(
  addr: string,
  proc?: Tracked,
  timeoutMs = 20_000,
): Promise<void> {
  const colon = addr.lastIndexOf(':');
  const unixPath = addr.startsWith('/') ? addr : undefined;
  const target = unixPath
    ? { path: unixPath }
    : { host: addr.slice(0, colon) || '127.0.0.1', port: Number(addr.slice(colon + 1)) };
  const deadline = Date.now() + timeoutMs;
  let dead: number | string | undefined;
  proc?.exited.then((code) => {
    dead = code;
  });
  while (Date.now() < deadline) {
    if (dead !== undefined) {
      throw new Error(
        `${proc?.name} exited (${dead}) before listening on ${addr}\n${proc?.tail()}`,
      );
    }
    if ((!unixPath || existsSync(unixPath)) && (await canConnect(target))) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${addr} after ${timeoutMs} ms\n${proc?.tail() ?? ''}`);
}

export interface Check {
  method: string;
  bodyBytes: number;
  /** Expected response body length in bytes. */
  expectBytes: number;
}

/** One request before the load: a misrouted target (502s, 404s) must not be measured as fast. */
export async function checkEndpoint(url: string, check: Check): Promise<void> {
  const res = await fetch(url, {
    method: check.method,
    ...(check.bodyBytes > 0 ? { body: new Uint8Array(check.bodyBytes).fill(120) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const body = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200 || body.length !== check.expectBytes) {
    const head = new TextDecoder().decode(body.subarray(0, 200));
    throw new Error(
      `${check.method} ${url} answered ${res.status} with ${body.length} bytes (expected 200 with ${check.expectBytes}): ${head}`,
    );
  }
}

const liveDirs = new Set<string>();

export function makeTmpDir(prefix = 'tsgi-bench-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  liveDirs.add(dir);
  return {
    dir,
    remove: () => {
      liveDirs.delete(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Removes every temp dir still there (after Ctrl-C the scenarios' finally blocks never run). */
export function removeTmpDirs(): void {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

export { sleep };
