/**
 * --post-buffering N: the whole request body is read before the app is called, so a slow upload
 * never holds an app "busy" (and never eats its harakiri time). Bodies up to N bytes stay in
 * memory; larger ones are spooled to a temp file (unlinked at once, read back as a stream).
 * A middleware over wsgi.input, so the uwsgi and HTTP sockets both get it.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createInput, type Environ } from '../../src/index.js';

async function spool(environ: Environ, limit: number): Promise<Environ['wsgi.input']> {
  const memory: Uint8Array[] = [];
  let size = 0;
  const input = environ['wsgi.input'];
  const it = input[Symbol.asyncIterator]();
  for (;;) {
    const r = await it.next();
    if (r.done) return createInput(concat(memory, size));
    memory.push(r.value);
    size += r.value.length;
    if (size > limit) break;
  }
  // Over the limit: the rest goes to a temp file, read back in order.
  const dir = await mkdtemp(join(tmpdir(), 'tsgi-post-'));
  const path = join(dir, 'body');
  const file = await open(path, 'w+');
  try {
    for (const chunk of memory) await file.write(chunk);
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      await file.write(r.value);
    }
  } finally {
    await file.close();
  }
  // Open for reading, then remove the name before the app runs: the open descriptor keeps the
  // data, and nothing is left on disk whatever happens to the request.
  const reader = await open(path, 'r');
  await rm(dir, { recursive: true, force: true });
  return createInput(reader.createReadStream() as AsyncIterable<Uint8Array>);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function postBuffering(app: App, limit: number): App {
  if (limit <= 0) return app;
  return async (environ, startResponse) => {
    const length = Number(environ.CONTENT_LENGTH ?? 0);
    if (length > 0 || environ['wsgi.input_terminated']) {
      environ['wsgi.input'] = await spool(environ, limit);
    }
    return app(environ, startResponse);
  };
}
