/**
 * Debian's nginx running deploy/nginx-myapp.conf as its only site: a minimal main nginx.conf in
 * the temp dir (temp paths, logs, `include site.conf`), uwsgi_params copied next to it so the
 * site's `include uwsgi_params` resolves as it does under /etc/nginx. Loopback only; stopped by PID
 * with its whole process group.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nginxMainConfig } from '../../helpers/nginx.js';
import { freePort, waitForPort } from '../../helpers/ports.js';
import { spawnGroup, stopGroup } from '../../helpers/process-group.js';
import { copyUwsgiParams, type DeployPaths, readDeploy, template } from './deploy-files.js';

export interface SiteNginx {
  port: number;
  pid: number;
  /** Access log lines: `status upstream_addr upstream_status uri`. */
  accessLog(): string[];
  errorLog(): string;
  stop(): Promise<void>;
}

export async function startSiteNginx(paths: DeployPaths): Promise<SiteNginx> {
  const port = await freePort();
  const dir = paths.conf;
  copyUwsgiParams(paths);
  writeFileSync(
    join(dir, 'site.conf'),
    template(readDeploy('nginx-myapp.conf'), paths, { 'listen 80;': `listen 127.0.0.1:${port};` }),
  );
  const errorLog = join(dir, 'error.log');
  const accessLog = join(dir, 'access.log');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${nginxMainConfig(dir, errorLog)}
  include /etc/nginx/mime.types;
  # Keep nginx's keepalive_requests (1000) from racing autocannon, which writes on a closing connection.
  keepalive_requests 1000000;
  log_format upstreams '$status $upstream_addr $upstream_status $request_uri';
  access_log ${accessLog} upstreams;
  include site.conf;
}
`,
  );
  const child = spawnGroup(
    '/usr/sbin/nginx',
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
  const stop = () => stopGroup(child, { signal: 'SIGQUIT', graceMs: 5000 });
  try {
    await Promise.race([
      waitForPort(port),
      exited.then(() => {
        throw new Error(`nginx exited: ${stderr}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    port,
    pid: child.pid!,
    accessLog: () => read(accessLog).split('\n').filter(Boolean),
    errorLog: () => read(errorLog),
    stop,
  };
}
