/**
 * Debian's nginx on loopback for the bench: one `server` per route, config in the scenario's temp
 * dir, started in the foreground (daemon off) so its master PID is ours to stop (SIGQUIT).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForListen } from './net.js';
import { spawnTracked, type Tracked } from './processes.js';

export type NginxRoute =
  | { kind: 'uwsgi'; upstream: string }
  | { kind: 'return200'; body: string }
  /** HTTP/1.1 proxy_pass to `127.0.0.1:PORT` with a keep-alive upstream pool. */
  | { kind: 'proxy'; upstream: string };

export interface NginxInstance {
  proc: Tracked;
  /** `http://127.0.0.1:PORT/` for each route, in the order given. */
  urls: string[];
}

let version: string | null | undefined;
/** `1.22.1`, or null when nginx is not installed. */
export function nginxVersion(): string | null {
  if (version === undefined) {
    const r = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
    version = r.error ? null : (/nginx\/(\S+)/.exec(`${r.stderr}${r.stdout}`)?.[1] ?? 'unknown');
  }
  return version;
}

function location(route: NginxRoute, i: number): string {
  if (route.kind === 'proxy') {
    return `proxy_pass http://backend${i}; proxy_http_version 1.1; proxy_set_header Connection "";`;
  }
  if (route.kind === 'return200') {
    return `default_type text/plain; return 200 '${route.body}';`;
  }
  const upstream = route.upstream.startsWith('/') ? `unix:${route.upstream}` : route.upstream;
  return `uwsgi_pass ${upstream}; include /etc/nginx/uwsgi_params;`;
}

/** The whole nginx.conf; exported so the harness test can check it. */
export function nginxConfig(
  dir: string,
  routes: readonly NginxRoute[],
  ports: readonly number[],
): string {
  // Running as root, workers would drop to nobody and could not reach sockets in our 0700 temp dir.
  const user = process.getuid?.() === 0 ? 'user root root;' : '';
  // nginx reuses HTTP upstream connections (unlike uwsgi ones): a keep-alive pool per proxy route.
  const upstreams = routes
    .map((r, i) =>
      r.kind === 'proxy' ? `  upstream backend${i} { server ${r.upstream}; keepalive 32; }\n` : '',
    )
    .join('');
  const servers = routes
    .map((r, i) => `  server { listen 127.0.0.1:${ports[i]}; location / { ${location(r, i)} } }`)
    .join('\n');
  return `${user}
worker_processes 2;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  # Keep the 64 KB POST and the 100 KB response in memory: the bench measures the backends, not
  # nginx's temp files (the defaults would spill both to disk).
  client_max_body_size 16m;
  client_body_buffer_size 128k;
  uwsgi_buffer_size 16k;
  uwsgi_buffers 16 16k;
${upstreams}${servers}
}
`;
}

export async function startNginx(
  dir: string,
  routes: readonly NginxRoute[],
): Promise<NginxInstance> {
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const ports: number[] = [];
  for (const _ of routes) ports.push(await freePort());
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(dir, routes, ports));
  const proc = spawnTracked('nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'nginx-error.log')], {
    name: 'nginx',
    stopSignal: 'SIGQUIT',
    logFile: join(dir, 'nginx-stdout.log'),
  });
  for (const port of ports) await waitForListen(`127.0.0.1:${port}`, proc);
  return { proc, urls: ports.map((p) => `http://127.0.0.1:${p}/`) };
}
