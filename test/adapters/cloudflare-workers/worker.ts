/**
 * The worker the tests run inside workerd (bundled by test/helpers/workerd.ts). One TSGI app with
 * a route per behaviour, mounted three ways: plain, with debug on under /debug, and a Hono app
 * through fromFetch under /hono.
 */
import { Hono } from 'hono';
import { toWorker, type WorkerContext } from '../../../adapters/cloudflare-workers/index.js';
import { type App, type Environ, fromFetch } from '../../../src/index.js';

interface Kv {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
}
export interface Env {
  GREETING: string;
  KV: Kv;
}

const encoder = new TextEncoder();
const json = (value: unknown) => encoder.encode(JSON.stringify(value));

/** Lines the adapter wrote to wsgi.errors and errors onError saw (module state, per isolate). */
const logLines: string[] = [];
const onErrorSeen: string[] = [];
/** Streams of /endless the client gave up on, seen through the body's close(). */
let closedStreams = 0;
/** Set while /stream waits; /release resolves it from a second request. */
let release: ((how: string) => void) | undefined;

/** Deterministic bytes: byte i of a body is (i * 31 + 7) & 255. */
function pattern(start: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = ((start + i) * 31 + 7) & 255;
  return out;
}

/** Plain values of the environ (CGI keys and the primitive wsgi.* ones), for comparison. */
function plainEnviron(environ: Environ): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(environ)) {
    if (key.startsWith('test.')) continue;
    if (typeof value === 'string' || typeof value === 'boolean') out[key] = value;
    else if (key === 'wsgi.version') out[key] = value;
  }
  return out;
}

const app: App = async (environ, startResponse) => {
  const env = environ['cloudflare.env'] as Env;
  const ctx = environ['cloudflare.ctx'] as WorkerContext;
  const query = new URLSearchParams(environ.QUERY_STRING);
  const text = [['Content-Type', 'text/plain; charset=utf-8']] as [string, string][];
  switch (environ.PATH_INFO) {
    case '/hello':
      startResponse('200 OK', text);
      return [`hello from workerd, ${query.get('name') ?? 'nobody'}`];
    case '/echo': {
      // Reads the whole (small) body, answers with it and its type.
      const body = await environ['wsgi.input'].read();
      startResponse('201 Created', [
        ['Content-Type', environ.CONTENT_TYPE ?? 'application/octet-stream'],
        ['X-Method', environ.REQUEST_METHOD],
      ]);
      return [body];
    }
    case '/echo-stream': {
      // Streams the request body back chunk by chunk as it arrives.
      startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
      return environ['wsgi.input'];
    }
    case '/count': {
      // Counts the request body incrementally: bytes, chunks, and a rolling checksum.
      let bytes = 0;
      let chunks = 0;
      let sum = 0;
      for await (const chunk of environ['wsgi.input']) {
        chunks++;
        for (let i = 0; i < chunk.length; i++) sum = (sum * 31 + chunk[i]!) >>> 0;
        bytes += chunk.length;
      }
      startResponse('200 OK', [['Content-Type', 'application/json']]);
      return [json({ bytes, chunks, sum })];
    }
    case '/big': {
      // A generated download of `bytes` bytes in 64 KiB chunks.
      const total = Number(query.get('bytes') ?? '0');
      startResponse('200 OK', [
        ['Content-Type', 'application/octet-stream'],
        ['Content-Length', String(total)],
      ]);
      return (function* () {
        for (let at = 0; at < total; at += 65536) yield pattern(at, Math.min(65536, total - at));
      })();
    }
    case '/stream': {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return (async function* () {
        yield 'first\n';
        // Wait for /release (a second request) or give up after a generous bound.
        const how = await new Promise<string>((resolve) => {
          const timer = setTimeout(() => resolve('timeout'), 20_000);
          release = (h) => {
            clearTimeout(timer);
            resolve(h);
          };
        });
        release = undefined;
        yield `then ${how}\n`;
      })();
    }
    case '/endless': {
      // Produces chunks until the client goes away; close() records that the adapter released it.
      startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
      let stop = false;
      return {
        async *[Symbol.asyncIterator]() {
          while (!stop) {
            yield new Uint8Array(16 * 1024);
            await new Promise((r) => setTimeout(r, 5));
          }
        },
        close() {
          stop = true;
          closedStreams++;
        },
      };
    }
    case '/closed':
      startResponse('200 OK', text);
      return [String(closedStreams)];
    case '/release': {
      const waiting = release !== undefined;
      release?.('released');
      startResponse('200 OK', text);
      return [waiting ? 'released' : 'nothing waiting'];
    }
    case '/env':
      startResponse('200 OK', [['Content-Type', 'application/json']]);
      return [
        json({
          greeting: env.GREETING,
          waitUntil: typeof ctx.waitUntil,
          passThroughOnException: typeof ctx.passThroughOnException,
          cf: typeof environ['cloudflare.cf'],
          colo: (environ['cloudflare.cf'] as { colo?: string } | undefined)?.colo ?? null,
          remoteAddr: environ.REMOTE_ADDR ?? null,
        }),
      ];
    case '/kv/put': {
      const key = query.get('key') ?? 'k';
      const value = query.get('value') ?? 'v';
      // The write happens after the response went out; only waitUntil keeps it alive.
      ctx.waitUntil(
        (async () => {
          await new Promise((r) => setTimeout(r, 100));
          await env.KV.put(key, value);
        })(),
      );
      startResponse('202 Accepted', text);
      return ['accepted'];
    }
    case '/kv/get': {
      const value = await env.KV.get(query.get('key') ?? 'k');
      startResponse(value === null ? '404 Not Found' : '200 OK', text);
      return [value ?? ''];
    }
    case '/environ':
      startResponse('200 OK', [['Content-Type', 'application/json']]);
      return [
        json({
          url: environ['test.url'],
          method: environ.REQUEST_METHOD,
          headers: environ['test.headers'],
          environ: plainEnviron(environ),
        }),
      ];
    case '/headers-out':
      // Header values are latin-1 "bytes as characters": this one holds the UTF-8 bytes of "café".
      startResponse('200 OK', [
        ['Content-Type', 'text/plain'],
        ['X-Utf8', 'caf\u00c3\u00a9'],
        ['X-Latin1', 'caf\u00e9'],
        ['Set-Cookie', 'a=1; Path=/'],
        ['Set-Cookie', 'b=2; Path=/'],
      ]);
      return ['ok'];
    case '/runtime': {
      const g = globalThis as { Buffer?: unknown; process?: unknown };
      startResponse('200 OK', [['Content-Type', 'application/json']]);
      return [json({ buffer: typeof g.Buffer, process: typeof g.process })];
    }
    case '/throw':
      throw new Error('secret detail 1234');
    case '/fail-midway': {
      // Headers and a first chunk go out, then the body fails: the client must see a cut body.
      const declared = query.get('length');
      startResponse('200 OK', [
        ['Content-Type', 'application/octet-stream'],
        ...(declared ? ([['Content-Length', declared]] as [string, string][]) : []),
      ]);
      return (async function* () {
        yield 'part one\n';
        await new Promise((r) => setTimeout(r, 10));
        throw new Error('failed midway');
      })();
    }
    case '/log':
      startResponse('200 OK', [['Content-Type', 'application/json']]);
      return [json({ log: logLines, onError: onErrorSeen })];
    default:
      startResponse('404 Not Found', text);
      return [`no route for ${environ.PATH_INFO}`];
  }
};

const hono = new Hono<{ Bindings: Env }>();
hono.get('/hello/:name', (c) => c.text(`${c.env.GREETING}, ${c.req.param('name')} (hono)`));
hono.post('/json', async (c) => c.json({ got: await c.req.json(), path: c.req.path }));
hono.get('/lazy', (c) =>
  c.json({
    isRequest: c.req.raw instanceof Request,
    probe: c.req.header('x-probe') ?? null,
    clonedUrl: c.req.raw.clone().url,
    url: c.req.url,
  }),
);
hono.get('/later', (c) => {
  c.executionCtx.waitUntil(c.env.KV.put('hono', 'was here'));
  return c.text('queued', 202);
});

const main = toWorker<Env>(app, {
  errors: (line) => logLines.push(line),
  onError: (error) => onErrorSeen.push(String((error as Error).message)),
  environ: (request) => ({ 'test.url': request.url, 'test.headers': [...request.headers] }),
});
const debug = toWorker<Env>(app, { debug: true, scriptName: '/debug', errors: () => {} });
const honoWorker = toWorker<Env>(fromFetch(hono.fetch, { stripScriptName: true }), {
  scriptName: '/hono',
});

export default {
  fetch(request: Request, env: Env, ctx: WorkerContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/hono/')) return honoWorker.fetch(request, env, ctx);
    if (path.startsWith('/debug/')) return debug.fetch(request, env, ctx);
    return main.fetch(request, env, ctx);
  },
};

/** The app, for the Node side of the environ comparison. */
export { app };
