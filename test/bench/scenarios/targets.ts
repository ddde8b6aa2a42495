/** Target builders the scenarios combine: each starts its own backend (and its own nginx). */
import {
  type AppKind,
  startBaseline,
  startPm2Cluster,
  startToy,
  startTsgi,
  startUwsgiPython,
  type ToyMode,
} from '../lib/backends.js';
import { freePort } from '../lib/net.js';
import { startNginx } from '../lib/nginx.js';
import type { Target, TargetContext } from '../lib/scenario.js';

export type Transport = 'unix' | 'tcp';

let socketCount = 0;
/** A fresh address per target: two targets on one path would silently share one server. */
async function socketAddr(ctx: TargetContext, transport: Transport, tag: string): Promise<string> {
  socketCount++;
  return transport === 'unix'
    ? `${ctx.dir}/${tag}-${socketCount}.sock`
    : `127.0.0.1:${await freePort()}`;
}

async function nginxTo(ctx: TargetContext, upstream: string): Promise<string> {
  const nginx = await startNginx(
    `${ctx.dir}/nginx-${Date.now()}-${Math.random().toString(36).slice(2, 7)}`,
    [{ kind: 'uwsgi', upstream }],
  );
  ctx.own(nginx.proc, 'proxy');
  return nginx.urls[0]!;
}

export function nginxReturn200(): Target {
  return {
    name: 'nginx return 200',
    requires: ['nginx'],
    note: 'reference: nginx alone',
    async start(ctx) {
      const nginx = await startNginx(`${ctx.dir}/nginx-static`, [
        { kind: 'return200', body: 'Hello, World!' },
      ]);
      ctx.own(nginx.proc, 'proxy');
      return nginx.urls[0]!;
    },
  };
}

export function nginxUwsgiPython(
  app: Exclude<AppKind, 'hono'>,
  transport: Transport,
  processes: number,
): Target {
  const workers = processes > 1 ? `, ${processes} workers` : '';
  return {
    name: `nginx → uWSGI python (${transport}${workers})`,
    requires: ['nginx', 'uwsgi'],
    async start(ctx) {
      const socket = await socketAddr(ctx, transport, `uwsgi-${app}-${processes}`);
      ctx.own(await startUwsgiPython({ socket, app, processes, dir: ctx.dir }));
      return nginxTo(ctx, socket);
    },
  };
}

export function nginxTsgi(
  app: AppKind,
  transport: Transport,
  processes: number,
  fromSource = false,
): Target {
  const workers = processes > 1 ? `, ${processes} workers` : '';
  const via = fromSource ? ', via tsx' : '';
  return {
    // Like for like: the uWSGI target with the same transport and worker count, when the
    // scenario has one (else the scenario's first target).
    compareTo: `nginx → uWSGI python (${transport}${workers})`,
    name: `nginx → tsgi${app === 'hono' ? ' Hono app' : ''} (${transport}${workers}${via})`,
    requires: processes > 1 ? ['nginx', 'gateway', 'master'] : ['nginx', 'gateway'],
    async start(ctx) {
      const socket = await socketAddr(ctx, transport, `tsgi-${app}-${processes}`);
      ctx.own(
        await startTsgi({ socket, app, processes, dir: ctx.dir, fromSource, gateway: ctx.gateway }),
      );
      return nginxTo(ctx, socket);
    },
  };
}

export function tsgiHttp(app: AppKind, compareTo = 'node:http'): Target {
  return {
    compareTo,
    name: `tsgi --http-socket${app === 'hono' ? ' Hono app' : ''}`,
    requires: ['gateway'],
    async start(ctx) {
      const port = await freePort();
      ctx.own(
        await startTsgi({
          httpSocket: `127.0.0.1:${port}`,
          app,
          processes: 1,
          dir: ctx.dir,
          gateway: ctx.gateway,
        }),
      );
      return `http://127.0.0.1:${port}/`;
    },
  };
}

/** `app` is the Hono app of apps/hono.ts (the one the gateway serves through fromHono). */
export function direct(kind: 'node' | 'hono', app: Exclude<AppKind, 'hono'> | 'app'): Target {
  return {
    compareTo: 'node:http',
    name:
      kind === 'node'
        ? 'node:http'
        : app === 'app'
          ? 'Hono app on node-server'
          : 'Hono node-server',
    requires: [],
    async start(ctx) {
      const { proc, url } = await startBaseline(kind, app, ctx.dir);
      ctx.own(proc);
      return url;
    },
  };
}

export function nginxToy(mode: ToyMode, transport: Transport): Target {
  return {
    name: `nginx → toy ${mode.startsWith('handle') ? mode.replace('handle', 'raw libuv handle').replace('+early', ', read at accept') : mode.replace('net', 'node:net')} (${transport})`,
    requires: ['nginx'],
    note: 'ceiling probe, not the gateway',
    async start(ctx) {
      const socket = await socketAddr(ctx, transport, `toy-${mode.replace('+', '-')}`);
      ctx.own(await startToy(mode, socket, ctx.dir));
      return nginxTo(ctx, socket);
    },
  };
}

async function nginxProxyTo(ctx: TargetContext, upstream: string, tag: string): Promise<string> {
  const nginx = await startNginx(`${ctx.dir}/nginx-proxy-${tag}-${upstream.replace(/\W/g, '-')}`, [
    { kind: 'proxy', upstream },
  ]);
  ctx.own(nginx.proc, 'proxy');
  return nginx.urls[0]!;
}

/**
 * nginx proxy_pass with upstream keep-alive to an HTTP backend: no connection per request.
 * `tsgi` runs `app` (hello or the Hono app) with `processes` workers; `node` is node:http hello;
 * `hono` is the Hono app on @hono/node-server.
 */
export function nginxProxy(
  backend: 'tsgi' | 'node' | 'hono',
  processes = 1,
  app: 'hello' | 'hono' = 'hello',
): Target {
  const workers = processes > 1 ? `, ${processes} workers` : '';
  const what =
    backend === 'tsgi'
      ? `tsgi --http-socket${app === 'hono' ? ' Hono app' : ''}`
      : backend === 'node'
        ? 'node:http'
        : 'Hono app on node-server';
  const requires: Target['requires'] = backend === 'tsgi' ? ['nginx', 'gateway'] : ['nginx'];
  if (backend === 'tsgi' && processes > 1) requires.push('master');
  return {
    name: `nginx → ${what} (proxy_pass, keepalive${workers})`,
    requires,
    async start(ctx) {
      let upstream: string;
      if (backend === 'tsgi') {
        upstream = `127.0.0.1:${await freePort()}`;
        ctx.own(
          await startTsgi({
            httpSocket: upstream,
            app,
            processes,
            dir: ctx.dir,
            gateway: ctx.gateway,
          }),
        );
      } else {
        const { proc, url } = await startBaseline(
          backend,
          backend === 'hono' ? 'app' : 'hello',
          ctx.dir,
        );
        ctx.own(proc);
        upstream = new URL(url).host;
      }
      return nginxProxyTo(ctx, upstream, backend);
    },
  };
}

/** PM2 in cluster mode (`instances` × node:http hello) behind nginx proxy_pass keepalive. */
export function nginxPm2(instances: number): Target {
  return {
    name: `nginx → PM2 cluster (${instances} × node:http, proxy_pass, keepalive)`,
    requires: ['nginx', 'pm2'],
    async start(ctx) {
      const { proc, url } = await startPm2Cluster(instances, ctx.dir);
      ctx.own(proc);
      return nginxProxyTo(ctx, new URL(url).host, 'pm2');
    },
  };
}
