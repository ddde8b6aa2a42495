/**
 * A committed, fully buffered app response turned into the parts every result shape needs:
 * Set-Cookie apart (never comma-joined), other headers grouped by lower-cased name, the body as a
 * string or base64, and a Content-Length that matches the bytes sent.
 */
import { type AppResponse, isNullBodyStatus, statusLine } from '../../src/index.js';
import { lambdaError } from './errors.js';
import { latin1ToText } from './text.js';
import type { IsBinary } from './types.js';

export interface PreparedResult {
  status: number;
  reason: string;
  /** Lower-cased name → values in order; Set-Cookie is in `cookies`. */
  headers: Map<string, string[]>;
  /** Lower-cased name → each value's name as the app spelled it (for results that keep case). */
  names?: Map<string, string[]>;
  cookies: string[];
  /** Each Set-Cookie's name as the app spelled it. */
  cookieNames?: string[];
  body: string;
  isBase64Encoded: boolean;
}

export interface ResultSettings {
  isBinary: IsBinary;
  maxResponseBytes: number;
}

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body bytes of a response, drained from the app (throws if the app fails mid-body). */
export async function collectBody(response: AppResponse, skip: boolean): Promise<Uint8Array> {
  if (skip) return EMPTY;
  let chunks: readonly Uint8Array[] = response.chunks;
  if (!response.complete) {
    const all: Uint8Array[] = [];
    for await (const chunk of response.body) all.push(chunk);
    chunks = all;
  }
  if (chunks.length === 0) return EMPTY;
  if (chunks.length === 1) return chunks[0]!;
  return Buffer.concat(chunks);
}

/** True when the response must not carry a body (HEAD, 1xx, 204, 304). */
export function bodyless(method: string, status: number): boolean {
  return method === 'HEAD' || isNullBodyStatus(status);
}

export function prepareResult(
  response: AppResponse,
  bytes: Uint8Array,
  method: string,
  settings: ResultSettings,
): PreparedResult {
  const headers = new Map<string, string[]>();
  const names = new Map<string, string[]>();
  const cookies: string[] = [];
  const cookieNames: string[] = [];
  let contentType: string | undefined;
  let contentEncoding: string | undefined;
  let declaredLength: string | undefined;
  for (const [name, raw] of response.headers) {
    const lower = name.toLowerCase();
    const value = latin1ToText(raw);
    if (lower === 'set-cookie') {
      cookies.push(value);
      cookieNames.push(name);
      continue;
    }
    if (lower === 'content-length') {
      declaredLength = value;
      continue;
    }
    if (lower === 'content-type') contentType ??= value;
    else if (lower === 'content-encoding') contentEncoding ??= value;
    const list = headers.get(lower);
    if (list) {
      list.push(value);
      names.get(lower)!.push(name);
    } else {
      headers.set(lower, [value]);
      names.set(lower, [name]);
    }
  }
  const noBody = bodyless(method, response.status);
  // HEAD keeps the length the app announced for GET; everything else states what it sends.
  if (!noBody) headers.set('content-length', [String(bytes.length)]);
  else if (method === 'HEAD' && declaredLength !== undefined) {
    headers.set('content-length', [declaredLength]);
  }

  let body = '';
  let isBase64Encoded = false;
  if (bytes.length > 0) {
    if (!settings.isBinary(contentType, contentEncoding)) {
      try {
        body = utf8.decode(bytes);
      } catch {
        // Not UTF-8 after all: a JSON string cannot carry these bytes, base64 can.
        isBase64Encoded = true;
      }
    } else isBase64Encoded = true;
    if (isBase64Encoded) {
      body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    }
  }
  const size = isBase64Encoded ? body.length : bytes.length;
  if (size > settings.maxResponseBytes) {
    throw lambdaError(
      'ERR_LAMBDA_RESPONSE_TOO_LARGE',
      `${size} bytes${isBase64Encoded ? ' after base64' : ''}, maxResponseBytes is ${settings.maxResponseBytes}`,
    );
  }
  return {
    status: response.status,
    reason: response.reason,
    headers,
    names,
    cookies,
    cookieNames,
    body,
    isBase64Encoded,
  };
}

/** One value per name: repeats joined with `, ` (RFC 9110 list syntax). Set-Cookie excluded. */
export function singleValueHeaders(prepared: PreparedResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of prepared.headers) {
    out[name] = values.length === 1 ? values[0]! : values.join(', ');
  }
  return out;
}

/** A small text/plain result the adapter answers with itself (400 for unreadable events). */
export function textResult(status: number, detail: string): PreparedResult {
  const line = statusLine(status);
  const body = `${line}\n${detail}`;
  return {
    status,
    reason: line.slice(4),
    headers: new Map([
      ['content-type', ['text/plain; charset=utf-8']],
      ['content-length', [String(Buffer.byteLength(body))]],
    ]),
    cookies: [],
    body,
    isBase64Encoded: false,
  };
}
