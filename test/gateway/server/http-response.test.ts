// The HTTP/1.1 response codec (gateway/server/http-response.ts): a body known whole leaves in one
// write; a big one as the head plus the app's own chunks in one vectored write (no copy into one
// buffer).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type App, type AppResponse, runApp } from 'tsgi';
import { type HttpResponseTarget, httpResponse } from '../../../gateway/server/http-response.js';

/** A target that records what the codec hands it (the codec's contract, no socket). */
class Recorder implements HttpResponseTarget {
  readonly closed = false;
  readonly minor = 1;
  readonly keepAliveWanted = true;
  readonly keepAliveSeconds = 5;
  keepAlive = false;
  readonly writes: Uint8Array[] = [];
  readonly vectored: Array<readonly Uint8Array[]> = [];
  write(bytes: Uint8Array): boolean {
    this.writes.push(bytes);
    return true;
  }
  writev(chunks: readonly Uint8Array[]): boolean {
    this.vectored.push(chunks);
    return true;
  }
  waitDrain(): Promise<boolean> {
    return Promise.resolve(true);
  }
  /** Every byte handed over, in order. */
  wire(): Buffer {
    const all = [...this.writes, ...this.vectored.flat()];
    return Buffer.concat(all.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
  }
}

async function responseOf(chunks: Uint8Array[], length?: number): Promise<AppResponse> {
  const app: App = (_environ, start) => {
    const headers: Array<[string, string]> = [['Content-Type', 'application/octet-stream']];
    if (length !== undefined) headers.push(['Content-Length', String(length)]);
    start('200 OK', headers);
    return chunks;
  };
  return runApp(app, { REQUEST_METHOD: 'GET', PATH_INFO: '/' } as never);
}

describe('gateway/server http-response whole bodies', () => {
  const a = new Uint8Array(60 * 1024).fill(97);
  const b = new Uint8Array(40 * 1024).fill(98);

  it('sends a big body as the head plus the app’s own chunks, in one vectored write', async () => {
    const target = new Recorder();
    const outcome = httpResponse.whole(
      target,
      await responseOf([a, b], a.length + b.length),
      false,
    );
    assert.deepEqual(outcome, { status: 200, bytes: a.length + b.length, ok: true });
    assert.equal(target.writes.length, 0);
    assert.equal(target.vectored.length, 1);
    const [head, ...body] = target.vectored[0]!;
    assert.match(Buffer.from(head!).toString('latin1'), /\r\nContent-Length: 102400\r\n/i);
    assert.equal(body[0], a);
    assert.equal(body[1], b);
    assert.equal(target.wire().length, head!.length + a.length + b.length);
  });

  it('copies a small body into one write with the head', async () => {
    const target = new Recorder();
    httpResponse.whole(target, await responseOf([new TextEncoder().encode('hi')], 2), false);
    assert.equal(target.vectored.length, 0);
    assert.equal(target.writes.length, 1);
    assert.match(Buffer.from(target.writes[0]!).toString('latin1'), /\r\n\r\nhi$/);
  });
});
