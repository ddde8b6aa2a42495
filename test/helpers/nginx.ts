/**
 * Debian's nginx on loopback in front of the gateway: the config is generated in a temp dir (all
 * temp paths and the error log in there), one `server` per upstream, `include uwsgi_params`.
 * Stopped by PID with its whole process group (master and workers).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.js';
import { spawnGroup, stopGroup } from './process-group.js';

export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/**
 * The head of a loopback test nginx.conf: foreground, pid and every temp path inside `dir`, and the
 * opening `http {` block. As root, `user root;` keeps workers able to read the temp dir (nginx would
 * switch them to nobody). The caller writes the rest of the http block and its closing brace.
 */
export function nginxMainConfig(dir: string, errorLog: string): string {
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  return `${user}
worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${errorLog} info;
events { worker_connections 1024; }
http {
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  scgi_temp_path ${join(dir, 'scgi')};`;
}

export interface Upstream {
  /** Name for lookup in `ports`. */
  name: string;
  /** What follows `uwsgi_pass` or `proxy_pass`, e.g. `unix:/tmp/x.sock`, `127.0.0.1:3031`, `suwsgi://127.0.0.1:3032`. */
  pass: string;
  /**
   * `proxy` for an HTTP upstream (proxy_pass); `websocket` is proxy_pass that passes upgrades on
   * (Upgrade and Connection headers, as nginx documents); default uwsgi.
   */
  protocol?: 'uwsgi' | 'proxy' | 'websocket';
  /** Extra directives in the location. */
  extra?: string;
}

export interface NginxOptions {
  upstreams: Upstream[];
  /** Adds a server answering `return 200` (the bench baseline). */
  staticReturn?: boolean;
  /** Extra directives in the http block. */
  http?: string;
}

export interface Nginx {
  /** Listening port per upstream name (and `static` when staticReturn). */
  ports: Record<string, number>;
  dir: string;
  pid: number;
  errorLog(): string;
  stop(): Promise<void>;
}

export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-nginx-'));
  for (const sub of ['client_body', 'proxy', 'uwsgi', 'fastcgi', 'scgi']) mkdirSync(join(dir, sub));
  const ports: Record<string, number> = {};
  const servers: string[] = [];
  for (const up of options.upstreams) {
    const port = await freePort();
    ports[up.name] = port;
    const pass =
      up.protocol === 'proxy'
        ? `proxy_pass ${up.pass}; proxy_http_version 1.1; proxy_set_header Connection "";`
        : up.protocol === 'websocket'
          ? `proxy_pass ${up.pass}; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $tsgi_connection_upgrade;`
          : `include /etc/nginx/uwsgi_params; uwsgi_pass ${up.pass};`;
    servers.push(`
    server {
      listen 127.0.0.1:${port};
      server_name test.local;
      location / { ${pass} ${up.extra ?? ''} }
    }`);
  }
  if (options.staticReturn) {
    const port = await freePort();
    ports.static = port;
    servers.push(`
    server {
      listen 127.0.0.1:${port};
      location / { return 200 "Hello, world!"; }
    }`);
  }
  const errorLog = join(dir, 'error.log');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${nginxMainConfig(dir, errorLog)}
  access_log off;
  client_max_body_size 64m;
  large_client_header_buffers 4 32k;
  keepalive_requests 100000;
  map $http_upgrade $tsgi_connection_upgrade { default upgrade; '' ''; }
  ${options.http ?? ''}
  ${servers.join('\n')}
}
`,
  );
  const child: ChildProcess = spawnGroup(
    NGINX_BIN,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLog],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (c) => {
    stderr += c;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    await stopGroup(child, { signal: 'SIGQUIT', graceMs: 5000 });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of Object.values(ports)) {
      await Promise.race([
        waitForPort(port),
        exited.then(() => {
          throw new Error(`nginx exited: ${stderr}`);
        }),
      ]);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ports,
    dir,
    pid: child.pid!,
    errorLog: () => {
      try {
        return readFileSync(errorLog, 'utf8');
      } catch {
        return '';
      }
    },
    stop,
  };
}
