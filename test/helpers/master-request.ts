/** A GET over the raw uwsgi protocol to a master's socket, parsed (for the master/worker tests). */
import { encodePacket } from '../../gateway/uwsgi/index.js';
import { parseResponse, type RawReply, rawRequest } from './uwsgi-client.js';

export function uwsgiGetPacket(uri: string): Uint8Array {
  const [path = '/', query = ''] = uri.split('?');
  return encodePacket({
    REQUEST_METHOD: 'GET',
    REQUEST_URI: uri,
    PATH_INFO: path,
    QUERY_STRING: query,
    SERVER_NAME: 'test.local',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: '127.0.0.1',
  });
}

export async function uwsgiGet(
  socketPath: string,
  uri: string,
  timeoutMs = 15_000,
): Promise<RawReply & { status: number; text: string; ms: number }> {
  const started = Date.now();
  const reply = await rawRequest({ path: socketPath }, uwsgiGetPacket(uri), { timeoutMs });
  let status = 0;
  let text = '';
  try {
    const parsed = parseResponse(reply.data);
    status = parsed.status;
    text = parsed.body.toString();
  } catch {
    text = reply.data.toString('latin1');
  }
  return { ...reply, status, text, ms: Date.now() - started };
}
