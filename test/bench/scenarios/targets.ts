/** Target builders the scenarios combine: each starts its own backend (and its own nginx). */
import {
  type AppKind,
  startBaseline,
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
      ctx.own(await startTsgi({ socket, app, processes, dir: ctx.dir, fromSource }));
      return nginxTo(ctx, socket);
    },
  };
}

export function tsgiHttp(app: AppKind): Target {
  return {
    compareTo: 'node:http',
    name: `tsgi --http-socket${app === 'hono' ? ' Hono app' : ''}`,
    requires: ['gateway'],
    async start(ctx) {
      const port = await freePort();
      ctx.own(
        await startTsgi({ httpSocket: `127.0.0.1:${port}`, app, processes: 1, dir: ctx.dir }),
      );
      return `http://127.0.0.1:${port}/`;
    },
  };
}

export function direct(kind: 'node' | 'hono', app: Exclude<AppKind, 'hono'>): Target {
  return {
    compareTo: 'node:http',
    name: kind === 'node' ? 'node:http' : 'Hono node-server',
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
    name: `nginx → toy ${mode === 'handle' ? 'raw libuv handle' : mode.replace('net', 'node:net')} (${transport})`,
    requires: ['nginx'],
    note: 'ceiling probe, not the gateway',
    async start(ctx) {
      const socket = await socketAddr(ctx, transport, `toy-${mode.replace('+', '-')}`);
      ctx.own(await startToy(mode, socket, ctx.dir));
      return nginxTo(ctx, socket);
    },
  };
}

/** nginx proxy_pass with upstream keep-alive to an HTTP backend: no connection per request. */
export function nginxProxy(backend: 'tsgi' | 'node'): Target {
  return {
    name: `nginx → ${backend === 'tsgi' ? 'tsgi --http-socket' : 'node:http'} (proxy_pass, keepalive)`,
    requires: backend === 'tsgi' ? ['nginx', 'gateway'] : ['nginx'],
    async start(ctx) {
      let upstream: string;
      if (backend === 'tsgi') {
        upstream = `127.0.0.1:${await freePort()}`;
        ctx.own(
          await startTsgi({ httpSocket: upstream, app: 'hello', processes: 1, dir: ctx.dir }),
        );
      } else {
        const { proc, url } = await startBaseline('node', 'hello', ctx.dir);
        ctx.own(proc);
        upstream = new URL(url).host;
      }
      const nginx = await startNginx(`${ctx.dir}/nginx-proxy-${backend}`, [
        { kind: 'proxy', upstream },
      ]);
      ctx.own(nginx.proc, 'proxy');
      return nginx.urls[0]!;
    },
  };
}
