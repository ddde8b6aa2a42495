/**
 * wsgi.input: an async reader over the request body, whatever the platform delivers it as
 * (a ReadableStream, an async iterable, a pull function or bytes already in memory).
 */
import type { InputStream } from './types.js';

/** The smallest body source: resolves the next chunk, or null at the end of the body. */
export interface ChunkSource {
  pull(): Promise<Uint8Array | null>;
  /** Called when the reader is abandoned early (optional). */
  cancel?(): void;
}

/** What createInput reads from: a ChunkSource, a ReadableStream, an async iterable of chunks, bytes, or nothing. */
export type InputSource =
  | ChunkSource
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Uint8Array
  | null
  | undefined;

const EMPTY = new Uint8Array(0);

const ignore = (): void => {
  // The stream may already be errored or closed; nothing left to release.
};

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

function chunkOf(r: ReadResult): Uint8Array | null {
  return r.done ? null : (r.value as Uint8Array);
}

/** A ReadableStream as a ChunkSource (a class: no closures per request). */
class StreamSource implements ChunkSource {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }
  pull(): Promise<Uint8Array | null> {
    return this.#reader.read().then(chunkOf);
  }
  cancel(): void {
    this.#reader.cancel().catch(ignore);
  }
}

/** Bytes already in memory as a ChunkSource: one chunk, then the end. */
class BytesSource implements ChunkSource {
  #bytes: Uint8Array | null;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes.length === 0 ? null : bytes;
  }
  async pull(): Promise<Uint8Array | null> {
    const bytes = this.#bytes;
    this.#bytes = null;
    return bytes;
  }
}

// Object methods rather than arrow properties: keep-names builds wrap those on every request.
function toChunkSource(source: NonNullable<InputSource>): ChunkSource {
  if (source instanceof Uint8Array) return new BytesSource(source);
  if (typeof (source as ChunkSource).pull === 'function') return source as ChunkSource;
  if (typeof (source as ReadableStream<Uint8Array>).getReader === 'function') {
    return new StreamSource(source as ReadableStream<Uint8Array>);
  }
  const it = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  return {
    async pull() {
      const r = await it.next();
      return r.done ? null : r.value;
    },
    cancel() {
      void it.return?.();
    },
  };
}

/**
 * A read size as a whole byte count; Infinity for "to the end": no size, a negative one, or NaN
 * (`read(parseInt(CONTENT_LENGTH))` without a Content-Length). A fraction is rounded down: the
 * buffer counts whole bytes, and a fractional count would lose the bytes after it.
 */
function byteCount(size: number | null | undefined): number {
  return size === undefined || size === null || !(size >= 0) ? Infinity : Math.floor(size);
}

class BodyInput implements InputStream {
  readonly #source: ChunkSource;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;

  constructor(source: ChunkSource) {
    this.#source = source;
  }

  /** Pulls one more chunk into the buffer; false at the end of the body. */
  async #fill(): Promise<boolean> {
    while (!this.#ended) {
      const chunk = await this.#source.pull();
      if (chunk === null) {
        this.#ended = true;
        return false;
      }
      if (chunk.length === 0) continue;
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      return true;
    }
    return false;
  }

  /** Removes and returns the first `size` buffered bytes (size <= buffered). */
  #take(size: number): Uint8Array {
    if (size === 0) return EMPTY;
    const first = this.#chunks[0]!;
    if (first.length === size) {
      this.#chunks.shift();
      this.#buffered -= size;
      return first;
    }
    if (first.length > size) {
      this.#chunks[0] = first.subarray(size);
      this.#buffered -= size;
      return first.subarray(0, size);
    }
    const out = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const c = this.#chunks[0]!;
      const n = Math.min(c.length, size - offset);
      out.set(n === c.length ? c : c.subarray(0, n), offset);
      offset += n;
      if (n === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(n);
    }
    this.#buffered -= size;
    return out;
  }

  async read(size?: number): Promise<Uint8Array> {
    const n = byteCount(size);
    if (n === Infinity) {
      while (await this.#fill()) {
        // keep buffering until the end of the body
      }
      return this.#take(this.#buffered);
    }
    while (this.#buffered < n && (await this.#fill())) {
      // buffer until `size` bytes or the end
    }
    return this.#take(Math.min(n, this.#buffered));
  }

  async readline(size?: number): Promise<Uint8Array> {
    const limit = byteCount(size);
    let scanned = 0;
    for (;;) {
      // Look for a newline in what is buffered, starting where the last scan stopped.
      let pos = 0;
      for (const c of this.#chunks) {
        if (pos + c.length > scanned) {
          const from = Math.max(0, scanned - pos);
          const nl = c.indexOf(0x0a, from);
          if (nl !== -1) return this.#take(Math.min(pos + nl + 1, limit));
        }
        pos += c.length;
      }
      scanned = pos;
      if (this.#buffered >= limit) return this.#take(limit);
      if (!(await this.#fill())) return this.#take(this.#buffered);
    }
  }

  async readlines(hint?: number): Promise<Uint8Array[]> {
    const lines: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return lines;
      lines.push(line);
      total += line.length;
      if (hint !== undefined && hint > 0 && total >= hint) return lines;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      if (this.#buffered > 0) {
        yield this.#take(this.#buffered);
        continue;
      }
      if (!(await this.#fill())) return;
    }
  }
}

/** wsgi.input for a request without a body (most GETs): nothing to buffer, nothing to pull. */
class EmptyInput implements InputStream {
  async read(): Promise<Uint8Array> {
    return EMPTY;
  }
  async readline(): Promise<Uint8Array> {
    return EMPTY;
  }
  async readlines(): Promise<Uint8Array[]> {
    return [];
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    // no chunks
  }
}

/** The wsgi.input of every request without a body: it keeps no state, so one serves all. */
const NO_BODY: InputStream = Object.freeze(new EmptyInput());

/** Builds wsgi.input over any body source. */
export function createInput(source?: InputSource): InputStream {
  if (source == null) return NO_BODY;
  return new BodyInput(toChunkSource(source));
}

/**
 * wsgi.input over a Fetch body (a ReadableStream or none): createInput without the other
 * source kinds, so a Workers bundle does not carry them.
 */
export function streamInput(body: ReadableStream<Uint8Array> | null): InputStream {
  return body ? new BodyInput(new StreamSource(body)) : NO_BODY;
}
