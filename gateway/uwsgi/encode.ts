/** Builds whole uwsgi packets (header + vars + optional body), for tests and tools. */
import { encodeHeader, MAX_DATASIZE, MODIFIER } from './packet.js';
import { type EncodableVar, encodeVars } from './vars.js';

export interface EncodePacketOptions {
  modifier1?: number;
  modifier2?: number;
  body?: Uint8Array | string;
}

export function encodePacket(
  vars: Iterable<EncodableVar> | Record<string, string>,
  options: EncodePacketOptions = {},
): Uint8Array {
  const block = encodeVars(vars);
  if (block.length > MAX_DATASIZE)
    throw new RangeError('a uwsgi vars block is at most 65535 bytes');
  const body =
    typeof options.body === 'string'
      ? new TextEncoder().encode(options.body)
      : (options.body ?? new Uint8Array(0));
  const out = new Uint8Array(4 + block.length + body.length);
  out.set(
    encodeHeader(options.modifier1 ?? MODIFIER.HTTP, block.length, options.modifier2 ?? 0),
    0,
  );
  out.set(block, 4);
  out.set(body, 4 + block.length);
  return out;
}
