/** A streamed response: 16 chunks of 1 KB from an async generator, no Content-Length. */
import type { App } from 'tsgi';

export const STREAM_CHUNKS = 16;
export const STREAM_CHUNK_BYTES = 1024;
const CHUNK = new Uint8Array(STREAM_CHUNK_BYTES).fill(98);

async function* chunks(): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < STREAM_CHUNKS; i++) yield CHUNK;
}

const app: App = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
  return chunks();
};
export default app;
