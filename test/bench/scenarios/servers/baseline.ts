/**
 * The direct-HTTP baselines, run as their own process (never inside the load generator's):
 * `baseline.ts node|hono hello|echo|big|stream PORT`, or `baseline.ts hono app PORT` for the Hono
 * app of apps/hono.ts (the same object the gateway serves through fromHono). Prints `listening`
 * when ready.
 */
import { createServer } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { honoApp } from '../apps/hono.js';

const [kind, mode, portText] = process.argv.slice(2);
const port = Number(portText);
const HELLO = Buffer.from('Hello, World!');
const BIG = Buffer.alloc(100 * 1024, 97);
const CHUNK = Buffer.alloc(1024, 98);
const STREAM_CHUNKS = 16;

function nodeHttp(): void {
  const server = createServer((req, res) => {
    if (mode === 'echo') {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const body = Buffer.concat(parts);
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': body.length,
        });
        res.end(body);
      });
      return;
    }
    if (mode === 'stream') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      for (let i = 0; i < STREAM_CHUNKS; i++) res.write(CHUNK);
      res.end();
      return;
    }
    const body = mode === 'big' ? BIG : HELLO;
    res.writeHead(200, {
      'Content-Type': mode === 'big' ? 'application/octet-stream' : 'text/plain',
      'Content-Length': body.length,
    });
    res.end(body);
  });
  server.listen(port, '127.0.0.1', 1024, () => console.log('listening'));
}

function hono(app: Hono): void {
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log('listening'));
}

function honoHello(): Hono {
  const app = new Hono();
  app.get('/', (c) => c.text('Hello, World!'));
  return app;
}

if (kind === 'node') nodeHttp();
else if (kind === 'hono' && mode === 'hello') hono(honoHello());
else if (kind === 'hono' && mode === 'app') hono(honoApp);
else {
  console.error(
    `usage: baseline.ts node|hono hello|echo|big|stream|app PORT (got ${kind} ${mode})`,
  );
  process.exit(2);
}
