/**
 * Starts Debian's nginx on loopback in front of one uwsgi upstream (unix path or host:port), for the
 * master/worker tests and benchmarks. The config lives in a temp dir; `stop()` stops nginx by PID with its
 * whole process group (master and workers).
 * (The single-process gateway tests have their own helper, test/helpers/nginx.ts.)
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { spawnGroup, stopGroup } from './process-group.js';

export interface NginxFront {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  errorLog(): string;
  stop(): Promise<void>;
}

/** Ports below the ephemeral range (ports.ts says why). */
export { freePort };

function upstreamOf(target: string): string {
  return target.startsWith('/') ? `unix:${target}` : target;
}

export async function startNginxFront(
  upstream: string,
  opts: { readTimeout?: number; workers?: number } = {},
): Promise<NginxFront> {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-nginx-front-'));
  const port = await freePort();
  const conf = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes ${opts.workers ?? 1};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_max_body_size 0;
  # nginx closes a client connection after keepalive_requests (1000 by default); autocannon keeps
  # writing on it and counts the reset as an error, which is the load generator's race, not ours.
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      include /etc/nginx/uwsgi_params;
      uwsgi_read_timeout ${opts.readTimeout ?? 30}s;
      uwsgi_pass ${upstreamOf(upstream)};
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawnGroup('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  // Wait until nginx accepts connections.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stopGroup(child);
      throw new Error(`nginx exited: ${stderr}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true)); // port in use = nginx is listening
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      await stopGroup(child, { signal: 'SIGKILL' });
      throw new Error(`nginx did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    pid: child.pid ?? 0,
    errorLog: () => {
      try {
        return readFileSync(join(dir, 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      await stopGroup(child, { signal: 'SIGQUIT', graceMs: 3000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
