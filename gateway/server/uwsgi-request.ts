/**
 * The uwsgi codec's request side on a worker: a whole packet's vars block becomes the environ
 * (minus wsgi.input) and the declared body length. No I/O; both uwsgi transports (the raw handle
 * of uwsgi-fast-accept.ts, the net.Socket of uwsgi-connection.ts) decode through here.
 */
import { createErrors } from '../../src/index.js';
import type { Logger } from '../logging/logger.js';
import {
  createKeyInterner,
  createValueInterner,
  decodeVars,
  type UwsgiPacket,
} from '../uwsgi/index.js';
import type { ConnectionContext } from './connection-context.js';
import { environFromVars, type UwsgiRequest } from './uwsgi-environ.js';

type Latin1Slicer = Buffer & { latin1Slice?: (start: number, end: number) => string };

/**
 * Node's native latin-1 decode; the codec's portable one is the fallback for non-Buffers. Called
 * twice per var (~30 times a request): `latin1Slice` is what toString('latin1') ends in, without
 * its argument and encoding checks.
 */
function decodeLatin1(bytes: Uint8Array, start: number, end: number): string {
  const buffer = (
    Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  ) as Latin1Slicer;
  if (start === end) return '';
  return buffer.latin1Slice
    ? buffer.latin1Slice(start, end)
    : buffer.toString('latin1', start, end);
}

/** The keys nginx sends on every request, decoded once (a bounded table). */
const decodeKey = createKeyInterner(decodeLatin1);
/** The values it repeats (method, protocol, addresses, host), decoded once per change. */
const decodeValue = createValueInterner(decodeLatin1);

/** One wsgi.errors sink per logger, not a closure per request. */
const errorSinks = new WeakMap<Logger, (line: string) => void>();
function errorSinkOf(log: Logger): (line: string) => void {
  let sink = errorSinks.get(log);
  if (!sink) {
    sink = (line) => log.error(line);
    errorSinks.set(log, sink);
  }
  return sink;
}

/** The environ (minus wsgi.input) and body length of an HTTP packet; throws a coded error. */
export function requestFromPacket(packet: UwsgiPacket, context: ConnectionContext): UwsgiRequest {
  const { options, log } = context;
  const vars = decodeVars(packet.block, options.maxVars, decodeValue, decodeKey);
  return environFromVars(vars, {
    modifier1: packet.modifier1,
    modifier2: packet.modifier2,
    multiprocess: options.multiprocess,
    errors: createErrors(errorSinkOf(log)),
  });
}
