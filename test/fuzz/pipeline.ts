/**
 * What the gateway does with the bytes of one connection before the app runs, without sockets:
 * PacketReader (chunk by chunk) → VarsDecoder → environFromFlatVars. `checkCase` runs it whole and
 * split, and asserts the fuzzing properties:
 * - the server's VarsDecoder (one for every case, as a worker has one for every request: it
 *   reuses what repeats from the block before) decodes exactly what decodeVars does;
 * - nothing but a coded error escapes (a code from GATEWAY_ERRORS, with that entry's status);
 * - the outcome does not depend on where the socket chunks were cut;
 * - a decoded block re-encodes to the same bytes, and a valid packet decodes to what was sent;
 * - the environ holds only latin-1 strings, no UWSGI_* var, no HTTP_CONTENT_* pair, and a body
 *   length that is a safe non-negative integer matching CONTENT_LENGTH.
 */

import { GATEWAY_ERRORS } from '../../gateway/errors.js';
import { environFromFlatVars } from '../../gateway/server/uwsgi-environ.js';
import {
  decodeVars,
  encodeVars,
  PacketReader,
  type UwsgiVar,
  VarsDecoder,
} from '../../gateway/uwsgi/index.js';
import { createErrors, type Environ } from '../../src/index.js';
import { type PacketCase, splitAt } from './packets.js';

export type Outcome =
  | { kind: 'incomplete' }
  | {
      kind: 'error';
      stage: 'header' | 'vars' | 'environ';
      code: string;
      status: number | undefined;
    }
  | {
      kind: 'request';
      modifier1: number;
      modifier2: number;
      vars: UwsgiVar[];
      /** Bytes after the vars block: the body start (hex, to compare). */
      rest: string;
      environ: Record<string, string | number | boolean>;
      contentLength: number;
    };

const quietErrors = createErrors(() => {});

/** A failure of a fuzzing property (not one of the gateway's coded errors). */
export class PropertyFailure extends Error {}

/** Turns a thrown value into an outcome; anything but a well-formed coded error is a failure. */
export function classifyError(error: unknown, stage: 'header' | 'vars' | 'environ'): Outcome {
  const e = error as { code?: unknown; status?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code === undefined || !(code in GATEWAY_ERRORS)) {
    throw new PropertyFailure(
      `uncoded error escaped the ${stage} stage: ${(error as Error)?.stack ?? String(error)}`,
    );
  }
  const spec = GATEWAY_ERRORS[code as keyof typeof GATEWAY_ERRORS] as { status?: number };
  if (e.status !== spec.status) {
    throw new PropertyFailure(`${code} has status ${e.status}, the table says ${spec.status}`);
  }
  return { kind: 'error', stage, code, status: spec.status };
}

function plain(environ: Environ): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(environ)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

/** One decoder for every case, as a worker has one for every request. */
const serverDecoder = new VarsDecoder();

/** serverDecoder's count for `block`; fails unless it agrees with decodeVars, errors included. */
function decodeWithReuse(block: Uint8Array, maxVars: number): number {
  let expected: UwsgiVar[] | string;
  try {
    expected = decodeVars(block, maxVars);
  } catch (error) {
    expected = String((error as { code?: unknown }).code);
  }
  let count: number;
  try {
    count = serverDecoder.decode(block, maxVars);
  } catch (error) {
    const code = String((error as { code?: unknown }).code);
    if (code !== expected) fail(`VarsDecoder refused with ${code}, decodeVars: ${expected}`);
    throw error;
  }
  const flat = serverDecoder.vars;
  const got = Array.from({ length: count }, (_, i) => [flat[2 * i], flat[2 * i + 1]]);
  if (!same(got, expected))
    fail(`VarsDecoder gives ${JSON.stringify(got)}, decodeVars ${JSON.stringify(expected)}`);
  return count;
}

/** Runs the pre-app path over `chunks` as a connection would receive them. */
export function runCodec(
  chunks: readonly Uint8Array[],
  limits: { bufferSize: number; maxVars: number },
): Outcome {
  const reader = new PacketReader({ bufferSize: limits.bufferSize });
  let result: ReturnType<PacketReader['push']>;
  const restParts: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (result) {
      restParts.push(chunk);
      continue;
    }
    try {
      result = reader.push(chunk);
    } catch (error) {
      return classifyError(error, 'header');
    }
    if (result) restParts.push(result.rest);
  }
  if (!result) return { kind: 'incomplete' };
  const { packet } = result;
  let vars: UwsgiVar[];
  let count: number;
  try {
    count = decodeWithReuse(packet.block, limits.maxVars);
    vars = decodeVars(packet.block, limits.maxVars);
  } catch (error) {
    return classifyError(error, 'vars');
  }
  let request: ReturnType<typeof environFromFlatVars>;
  try {
    request = environFromFlatVars(serverDecoder.vars, count, {
      modifier1: packet.modifier1,
      modifier2: packet.modifier2,
      multiprocess: false,
      errors: quietErrors,
    });
  } catch (error) {
    return classifyError(error, 'environ');
  }
  return {
    kind: 'request',
    modifier1: packet.modifier1,
    modifier2: packet.modifier2,
    vars,
    rest: Buffer.concat(restParts).toString('hex'),
    environ: plain(request.environ),
    contentLength: request.contentLength,
  };
}

function fail(message: string): never {
  throw new PropertyFailure(message);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What environFromVars must decide for these vars (an oracle written from the spec). */
export function expectedEnvironVerdict(vars: UwsgiVar[]): string | undefined {
  const lengths = new Set(vars.filter(([k]) => k === 'CONTENT_LENGTH').map(([, v]) => v));
  if (lengths.size > 1) return 'ERR_UWSGI_BAD_CONTENT_LENGTH';
  const methods = vars.filter(([k]) => k === 'REQUEST_METHOD');
  const method = methods[methods.length - 1]?.[1];
  if (!method) return 'ERR_UWSGI_MISSING_VAR';
  const [cl] = lengths;
  if (cl !== undefined && cl !== '' && !/^[0-9]{1,15}$/.test(cl)) {
    return 'ERR_UWSGI_BAD_CONTENT_LENGTH';
  }
  return undefined;
}

function checkEnviron(outcome: Extract<Outcome, { kind: 'request' }>): void {
  const { environ, contentLength, vars } = outcome;
  for (const [key, value] of Object.entries(environ)) {
    if (typeof value === 'string') {
      for (let i = 0; i < value.length; i++) {
        if (value.charCodeAt(i) > 0xff) fail(`environ ${key} has a char above U+00FF`);
      }
    }
    if (key.startsWith('UWSGI_')) fail(`environ exposes the control var ${key}`);
  }
  if ('HTTP_CONTENT_LENGTH' in environ || 'HTTP_CONTENT_TYPE' in environ) {
    fail('environ exposes HTTP_CONTENT_LENGTH or HTTP_CONTENT_TYPE');
  }
  if (!Number.isSafeInteger(contentLength) || contentLength < 0) {
    fail(`body length ${contentLength} is not a safe non-negative integer`);
  }
  const cl = environ.CONTENT_LENGTH;
  if (cl === undefined) {
    if (contentLength !== 0) fail('no CONTENT_LENGTH but a body length');
  } else {
    if (typeof cl !== 'string' || !/^[0-9]+$/.test(cl) || Number(cl) !== contentLength) {
      fail(`CONTENT_LENGTH ${JSON.stringify(cl)} does not match body length ${contentLength}`);
    }
    if ('HTTP_TRANSFER_ENCODING' in environ)
      fail('HTTP_TRANSFER_ENCODING kept beside CONTENT_LENGTH');
  }
  if (typeof environ.REQUEST_METHOD !== 'string' || environ.REQUEST_METHOD === '') {
    fail('no REQUEST_METHOD in an accepted request');
  }
  for (const key of ['PATH_INFO', 'QUERY_STRING', 'SCRIPT_NAME', 'SERVER_NAME', 'SERVER_PORT']) {
    if (typeof environ[key] !== 'string') fail(`environ ${key} is not a string`);
  }
  if (environ['wsgi.url_scheme'] !== 'http' && environ['wsgi.url_scheme'] !== 'https') {
    fail(`wsgi.url_scheme is ${String(environ['wsgi.url_scheme'])}`);
  }
  // Every wire var reaches the environ unless the rules drop it.
  for (const [key] of vars) {
    if (key.startsWith('UWSGI_') || key === 'HTTP_CONTENT_LENGTH' || key === 'HTTP_CONTENT_TYPE')
      continue;
    if (key === 'HTTP_TRANSFER_ENCODING' || key === 'CONTENT_LENGTH' || key === 'CONTENT_TYPE')
      continue;
    if (key === '__proto__') continue; // Not an own property of a plain object: harmless.
    if (!(key in environ) && !key.includes('.')) fail(`wire var ${JSON.stringify(key)} was lost`);
  }
}

/** Runs one case whole and split; throws PropertyFailure when a property does not hold. */
export function checkCase(c: PacketCase): Outcome {
  const limits = { bufferSize: c.bufferSize, maxVars: c.maxVars };
  const whole = runCodec([c.bytes], limits);
  const pieces = runCodec(splitAt(c.bytes, c.cuts), limits);
  if (!same(whole, pieces)) {
    fail(
      `split at ${JSON.stringify(c.cuts)} gives ${JSON.stringify(pieces)}, whole gives ${JSON.stringify(whole)}`,
    );
  }
  if (whole.kind === 'request') {
    const block = encodeVars(whole.vars);
    const datasize = c.bytes[1]! | (c.bytes[2]! << 8);
    if (block.length !== datasize) fail('decoded vars do not re-encode to datasize bytes');
    if (!Buffer.from(block).equals(Buffer.from(c.bytes.subarray(4, 4 + datasize)))) {
      fail('decoded vars do not re-encode to the same block');
    }
    if (datasize > c.bufferSize)
      fail(`a ${datasize}-byte block passed buffer-size ${c.bufferSize}`);
    if (whole.vars.length > c.maxVars)
      fail(`${whole.vars.length} vars passed max-vars ${c.maxVars}`);
    checkEnviron(whole);
  }
  if (whole.kind === 'error' && whole.stage === 'environ') {
    // Only the environ rules refuse a well-framed packet; the oracle must agree.
    const decoded = runCodecVars(c, limits);
    const expected = expectedEnvironVerdict(decoded);
    if (expected !== whole.code) fail(`environ refused with ${whole.code}, expected ${expected}`);
  }
  if (c.source === 'valid') checkValid(c, whole);
  return whole;
}

function runCodecVars(c: PacketCase, limits: { bufferSize: number; maxVars: number }): UwsgiVar[] {
  const result = new PacketReader({ bufferSize: limits.bufferSize }).push(c.bytes);
  return result ? decodeVars(result.packet.block, limits.maxVars) : [];
}

/** An unmutated packet: accepted exactly when within limits and the environ rules allow it. */
function checkValid(c: PacketCase, outcome: Outcome): void {
  const datasize = c.bytes[1]! | (c.bytes[2]! << 8);
  const vars = c.vars!;
  if (datasize > c.bufferSize) {
    if (outcome.kind !== 'error' || !/^ERR_UWSGI_(BLOCK_TOO_LARGE|PLAIN_HTTP)$/.test(outcome.code))
      fail(`over buffer-size but ${JSON.stringify(outcome)}`);
    return;
  }
  if (vars.length > c.maxVars) {
    if (outcome.kind !== 'error' || outcome.code !== 'ERR_UWSGI_TOO_MANY_VARS')
      fail(`over max-vars but ${JSON.stringify(outcome)}`);
    return;
  }
  const verdict = expectedEnvironVerdict(vars);
  if (verdict !== undefined) {
    if (outcome.kind !== 'error' || outcome.code !== verdict)
      fail(`expected ${verdict}, got ${JSON.stringify(outcome)}`);
    return;
  }
  if (outcome.kind !== 'request') fail(`a valid packet gave ${JSON.stringify(outcome)}`);
  if (!same(outcome.vars, vars)) fail('a valid packet decoded to other vars');
  if (outcome.modifier1 !== c.modifier1 || outcome.modifier2 !== c.modifier2)
    fail('modifiers changed');
  if (outcome.rest !== Buffer.from(c.body!).toString('hex')) fail('the body start changed');
}

/** A one-word class of an outcome, for tallies. */
export function outcomeClass(outcome: Outcome): string {
  return outcome.kind === 'error' ? outcome.code : outcome.kind;
}
