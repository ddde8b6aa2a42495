/**
 * --post-buffering N: the whole request body is read before the app is called, so a slow upload
 * never holds an app "busy" (and never eats its harakiri time). Bodies up to N bytes stay in
 * memory; larger ones are spooled to a temp file (unlinked at once, read back as a stream).
 * A middleware over wsgi.input, so the uwsgi and HTTP sockets both get it.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type App,
  type BodyChunk,
  createInput,
  type Environ,
  type ResponseBody,
} from '../../src/index.js';

interface Spooled {
  input: Environ['wsgi.input'];
  /** Closes the temp file's descriptor (spooled bodies only). */
  release?: () => Promise<void>;
}

async function spool(environ: Environ, limit: number): Promise<Spooled> {
  const memory: Uint8Array[] = [];
  let size = 0;
  const input = environ['wsgi.input'];
  const it = input[Symbol.asyncIterator]();
  for (;;) {
    const r = await it.next();
    if (r.done) return { input: createInput(concat(memory, size)) };
    memory.push(r.value);
    size += r.value.length;
    if (size > limit) break;
  }
  // Over the limit: the rest goes to a temp file, read back in order.
  const dir = await mkdtemp(join(tmpdir(), 'tsgi-post-'));
  try {
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
    // Open for reading; the name goes below, before the app runs: the open descriptor keeps the
    // data, and nothing is left on disk whatever happens to the request.
    const reader = await open(path, 'r');
    const stream = reader.createReadStream() as unknown as AsyncIterable<Uint8Array>;
    return { input: createInput(stream), release: () => reader.close().catch(() => {}) };
  } finally {
    // Also when the upload failed half-way (the client went away): no temp file outlives it.
    await rm(dir, { recursive: true, force: true });
  }
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

/**
 * `body` with `release` run once the server closes it (it always does, PEP 3333's close()), so a
 * spooled body's descriptor is closed when the request ends even if the app never read it,
 * rather than by the garbage collector (DEP0137).
 */
function closingWith(body: ResponseBody, release: () => Promise<void>): ResponseBody {
  if (body === null || typeof body !== 'object') {
    void release(); // Not a body: runApp answers 500 and has nothing to close.
    return body;
  }
  const close = async () => {
    try {
      await body.close?.();
    } finally {
      await release();
    }
  };
  // A fresh array keeps runApp's whole-body fast path and leaves the app's own array untouched.
  if (Array.isArray(body)) return Object.assign([...(body as BodyChunk[])], { close });
  const source = body as Partial<AsyncIterable<BodyChunk> & Iterable<BodyChunk>>;
  const asyncOpen = source[Symbol.asyncIterator];
  const syncOpen = source[Symbol.iterator];
  return {
    ...(asyncOpen ? { [Symbol.asyncIterator]: () => asyncOpen.call(source) } : {}),
    ...(syncOpen ? { [Symbol.iterator]: () => syncOpen.call(source) } : {}),
    close,
  } as ResponseBody;
}

export function postBuffering(app: App, limit: number): App {
  if (limit <= 0) return app;
  return async (environ, startResponse) => {
    const length = Number(environ.CONTENT_LENGTH ?? 0);
    if (!(length > 0 || environ['wsgi.input_terminated'])) return app(environ, startResponse);
    const spooled = await spool(environ, limit);
    environ['wsgi.input'] = spooled.input;
    const release = spooled.release;
    if (!release) return app(environ, startResponse);
    let body: ResponseBody;
    try {
      body = await app(environ, startResponse);
    } catch (error) {
      await release();
      throw error;
    }
    return closingWith(body, release);
  };
}
