/**
 * The uwsgi codec's request side on a worker: a whole packet's vars block becomes the environ
 * (minus wsgi.input) and the declared body length. No I/O; both uwsgi transports (the raw handle
 * of uwsgi-fast-accept.ts, the net.Socket of uwsgi-connection.ts) decode through here.
 */
import { createErrors } from '../../src/index.js';
import type { Logger } from '../logging/logger.js';
import { createKeyInterner, type UwsgiPacket, VarsDecoder } from '../uwsgi/index.js';
import type { ConnectionContext } from './connection-context.js';
import { environFromFlatVars, type UwsgiRequest } from './uwsgi-environ.js';

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

/**
 * A key as an internalized string (the form V8 keeps property names in): the environ's stores
 * and its comparisons with literal names then need no string-table lookup.
 */
function decodeName(bytes: Uint8Array, start: number, end: number): string {
  const key = decodeLatin1(bytes, start, end);
  for (const name in { [key]: true }) return name;
  return key;
}

/**
 * The process's decoder: a var that repeats the previous request's (nginx sends the same vars
 * in the same order, most with the same values) is not decoded again; a key that comes back in
 * another place is found in a bounded table of the keys seen.
 */
const decoder = new VarsDecoder({ decode: decodeLatin1, decodeKey: createKeyInterner(decodeName) });

/** One wsgi.errors sink per logger, not a closure per request (the last one looked up first). */
const errorSinks = new WeakMap<Logger, (line: string) => void>();
let lastLog: Logger | undefined;
let lastSink: (line: string) => void = () => {};
function errorSinkOf(log: Logger): (line: string) => void {
  if (log === lastLog) return lastSink;
  let sink = errorSinks.get(log);
  if (!sink) {
    sink = (line) => log.error(line);
    errorSinks.set(log, sink);
  }
  lastLog = log;
  lastSink = sink;
  return sink;
}

/** The environ (minus wsgi.input) and body length of an HTTP packet; throws a coded error. */
export function requestFromPacket(packet: UwsgiPacket, context: ConnectionContext): UwsgiRequest {
  const { options, log } = context;
  const count = decoder.decode(packet.block, options.maxVars);
  return environFromFlatVars(decoder.vars, count, {
    modifier1: packet.modifier1,
    modifier2: packet.modifier2,
    multiprocess: options.multiprocess,
    errors: createErrors(errorSinkOf(log)),
  });
}
