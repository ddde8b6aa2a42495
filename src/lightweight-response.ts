/**
 * A lightweight global `Response` for Fetch apps (a Hono app through fromHono), installed in the
 * gateway's app process before the app loads unless --override-global-response is off, and on
 * AWS Lambda by `handle()` / `streamHandle()` with `overrideGlobalResponse: true`.
 *
 * Node's Response wraps every body in a ReadableStream when it is made; on Node 20 that alone
 * costs more than the rest of a small request, and fromFetch never reads that stream when it can
 * have the bytes. This one keeps a string or bytes body and the status and headers as given, and
 * hands them to fromFetch (RESPONSE_PARTS). Everything else is the native Response, built at the
 * moment something needs it (`body`, `clone()`, `text()`, …) and from then on answering for it:
 * - bodies that are not a string, bytes or null (a stream, a Blob, form data), and inits it does
 *   not take as they are (see `fastInit`), get the native Response at once, so errors are thrown
 *   where and as the native constructor throws them;
 * - `status`, `ok`, `statusText`, `headers`, `type`, `url`, `redirected` and `bodyUsed` answer
 *   without building it; `headers` is a real Headers object made on first use;
 * - `instanceof Response` holds for these and for native Responses; `Response.json`,
 *   `Response.error` and `Response.redirect` work as before (json builds a lightweight one).
 * Known difference: a Headers object taken from `response.headers` before the native Response was
 * built is copied into it then; later changes to that object do not reach the response.
 */
import { RESPONSE_PARTS, type ResponseParts } from './response-source.js';

/** Header pairs as kept: read, never changed once made (fromFetch copies what it hands on). */
type Pair = readonly [string, string];
type Pairs = Pair[];
type BodyInit = NonNullable<ConstructorParameters<typeof Response>[0]>;
type HeadersInit = NonNullable<ConstructorParameters<typeof Headers>[0]>;

/** A header name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/i;
/** A header value Headers would change (whitespace at either end) or refuse (NUL, CR, LF, > U+00FF). */
const UNUSUAL_VALUE = /^[\t ]|[\t ]$|[\0\r\n\u0100-\uffff]/;
/** Reason-phrase characters (RFC 9110: HTAB, SP, VCHAR, obs-text). */
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;
const TEXT_PLAIN = 'text/plain;charset=UTF-8';
const JSON_TYPE = { 'content-type': 'application/json' };
const REAL_OF = Symbol('native response');
const encoder = new TextEncoder();

/**
 * A string body's UTF-8 bytes. The core uses TextEncoder (it runs anywhere); a host on Node passes
 * its Buffer.from, several times faster for a short string (the gateway and the Lambda adapter).
 */
export type EncodeText = (text: string) => Uint8Array;

const encodeWithTextEncoder: EncodeText = (text) => encoder.encode(text);

/** The body kinds kept as given; undefined for any other (the native Response takes those). */
function fastBody(body: unknown): string | Uint8Array | null | undefined {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return body;
  // A copy, as the native Response takes one: later changes to the caller's bytes do not show.
  if (body instanceof Uint8Array) return new Uint8Array(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body.slice(0));
  return undefined;
}

/** A header record the native Response would take unchanged, as sorted pairs; else undefined. */
function recordPairs(record: object): Pairs | undefined {
  const proto = Object.getPrototypeOf(record);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const names = Object.keys(record);
  // Sized up front: an array grown by push() starts with room for 16 pairs.
  const pairs: Pairs = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = (record as Record<string, unknown>)[name];
    if (typeof value !== 'string' || !TOKEN.test(name) || UNUSUAL_VALUE.test(value)) {
      return undefined;
    }
    // Hono writes `Content-Type`: Headers would store it lower-cased.
    pairs[i] = [name.toLowerCase(), value];
  }
  if (Object.getOwnPropertySymbols(record).length > 0) return undefined;
  if (pairs.length > 1) {
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    // One name in two spellings: Headers joins the values; leave that to it.
    for (let i = 1; i < pairs.length; i++) if (pairs[i]![0] === pairs[i - 1]![0]) return undefined;
  }
  return pairs;
}

/** The content type the native Response gives a string body; shared, as pairs are only read. */
const TEXT_TYPE: Pair = Object.freeze(['content-type', TEXT_PLAIN] as const);

/** Adds the content type the native Response gives a string body, keeping the pairs sorted. */
function withTextType(pairs: Pairs): Pairs {
  // No headers at all (Hono's plain `c.text()`): no search, no splice.
  if (pairs.length === 0) return [TEXT_TYPE];
  let i = 0;
  for (; i < pairs.length; i++) {
    const name = pairs[i]![0];
    if (name === 'content-type') return pairs;
    if (name > 'content-type') break;
  }
  pairs.splice(i, 0, TEXT_TYPE);
  return pairs;
}

/** The init as kept: status, statusText and headers (pairs or a Headers of our own); or undefined. */
interface FastInit {
  status: number;
  statusText: string;
  headers: Pairs | Headers;
}

/**
 * The init when it is one the native Response would accept as it is; undefined otherwise (then
 * the native constructor decides, and throws its own errors). Read once, in the order the native
 * constructor reads it.
 */
function fastInit(init: unknown, body: string | Uint8Array | null): FastInit | undefined {
  let headersInit: unknown;
  let status: unknown;
  let statusText: unknown;
  if (init !== undefined && init !== null) {
    if (typeof init !== 'object') return undefined;
    const i = init as ResponseInit;
    headersInit = i.headers;
    status = i.status;
    statusText = i.statusText;
  }
  if (status === undefined) status = 200;
  else if (
    typeof status !== 'number' ||
    !Number.isInteger(status) ||
    status < 200 ||
    status > 599 ||
    (body !== null && (status === 204 || status === 205 || status === 304))
  ) {
    return undefined;
  }
  if (statusText === undefined) statusText = '';
  else if (typeof statusText !== 'string' || !REASON.test(statusText)) return undefined;
  let headers: Pairs | Headers;
  if (headersInit === undefined || headersInit === null) {
    if (headersInit === null) return undefined;
    headers = [];
  } else if (typeof headersInit !== 'object') {
    return undefined;
  } else {
    const pairs = headersInit instanceof Headers ? undefined : recordPairs(headersInit);
    if (pairs) headers = pairs;
    else {
      // Copied, as the native Response copies: the caller's object stays theirs.
      const copy = new Headers(headersInit as HeadersInit);
      if (typeof body === 'string' && !copy.has('content-type'))
        copy.set('content-type', TEXT_PLAIN);
      headers = copy;
    }
  }
  if (Array.isArray(headers) && typeof body === 'string') headers = withTextType(headers);
  return { status: status as number, statusText: statusText as string, headers };
}

/**
 * Installs the lightweight Response as the global `Response` (once), as the CLI does before it loads
 * the app (--override-global-response); with serve(), call it before the app is imported, and on
 * AWS Lambda (tsgi/aws-lambda) at the top of the handler module. Returns whether it is installed
 * (false where the runtime has no Response).
 */
export function installLightweightResponse(encodeText?: EncodeText): boolean {
  const current = globalThis.Response as unknown as Record<symbol, unknown> | undefined;
  if (typeof current !== 'function') return false;
  if (current[RESPONSE_PARTS] !== undefined) return true;
  globalThis.Response = lightweightResponseClass(globalThis.Response, encodeText);
  return true;
}

/** The lightweight Response class over `Native` (the runtime's Response). */
export function lightweightResponseClass(
  Native: typeof Response,
  textBytes: EncodeText = encodeWithTextEncoder,
): typeof Response {
  class LightweightResponse {
    #body: string | Uint8Array | null = null;
    #init: FastInit | undefined;
    #native: Response | undefined;

    static json(data: unknown, init?: ResponseInit): Response {
      const text = JSON.stringify(data);
      if (text === undefined) return Native.json(data, init);
      let headers: HeadersInit = JSON_TYPE;
      if (init?.headers) {
        headers = new Headers(init.headers);
        if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      }
      return new LightweightResponse(text, {
        status: init?.status,
        statusText: init?.statusText,
        headers,
      }) as unknown as Response;
    }

    constructor(body?: BodyInit | null, init?: ResponseInit) {
      const fast = fastBody(body);
      const kept = fast === undefined ? undefined : fastInit(init, fast);
      if (kept === undefined) {
        this.#native = new Native(body, init);
        return;
      }
      this.#body = fast!;
      this.#init = kept;
    }

    /** The native Response, built now if it was not yet; it owns the body from then on. */
    [REAL_OF](): Response {
      if (this.#native) return this.#native;
      const { status, statusText, headers } = this.#init!;
      let body = this.#body as BodyInit | null;
      // A Headers object has the content type by now, or lost it on purpose: as bytes, the body
      // keeps the native constructor from adding it again. (Pairs have it already.)
      if (typeof body === 'string' && !Array.isArray(headers)) body = encoder.encode(body);
      this.#native = new Native(body, { status, statusText, headers: headers as HeadersInit });
      this.#body = null;
      this.#init = undefined;
      return this.#native;
    }

    [RESPONSE_PARTS](): ResponseParts | undefined {
      const init = this.#init;
      if (init === undefined) return undefined;
      return {
        status: init.status,
        statusText: init.statusText,
        headers: init.headers,
        body: typeof this.#body === 'string' ? textBytes(this.#body) : this.#body,
      };
    }

    get status(): number {
      return this.#init ? this.#init.status : this[REAL_OF]().status;
    }
    get ok(): boolean {
      const status = this.status;
      return status >= 200 && status < 300;
    }
    get statusText(): string {
      return this.#init ? this.#init.statusText : this[REAL_OF]().statusText;
    }
    get headers(): Headers {
      const init = this.#init;
      if (!init) return this[REAL_OF]().headers;
      if (Array.isArray(init.headers))
        init.headers = new Headers(init.headers as unknown as HeadersInit);
      return init.headers;
    }
    get type(): Response['type'] {
      return this.#init ? 'default' : this[REAL_OF]().type;
    }
    get url(): string {
      return this.#init ? '' : this[REAL_OF]().url;
    }
    get redirected(): boolean {
      return this.#init ? false : this[REAL_OF]().redirected;
    }
    get bodyUsed(): boolean {
      return this.#init ? false : this[REAL_OF]().bodyUsed;
    }
  }

  const proto = LightweightResponse.prototype as unknown as Record<PropertyKey, unknown>;
  const nativeProto = Native.prototype as unknown as Record<PropertyKey, unknown>;
  // Every other member of the native prototype (body, clone, text, json, …, and what later
  // runtimes add) answers from the native Response.
  for (const key of Reflect.ownKeys(nativeProto)) {
    if (key === 'constructor' || Object.hasOwn(proto, key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(nativeProto, key)!;
    if (descriptor.get) {
      const get = descriptor.get;
      Object.defineProperty(proto, key, {
        configurable: true,
        get(this: LightweightResponse) {
          return get.call(this[REAL_OF]());
        },
      });
    } else if (typeof descriptor.value === 'function') {
      const method = descriptor.value as (...args: unknown[]) => unknown;
      Object.defineProperty(proto, key, {
        configurable: true,
        writable: true,
        value(this: LightweightResponse, ...args: unknown[]) {
          return method.apply(this[REAL_OF](), args);
        },
      });
    }
  }
  Object.defineProperty(LightweightResponse, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      // Native Responses (fetch's, Response.error's) are Responses too; a subclass checks its own.
      if (this === LightweightResponse) return value instanceof Native;
      return Function.prototype[Symbol.hasInstance].call(this, value);
    },
  });
  Object.setPrototypeOf(LightweightResponse, Native);
  Object.setPrototypeOf(LightweightResponse.prototype, Native.prototype);
  Object.defineProperty(LightweightResponse, RESPONSE_PARTS, { value: Native });
  Object.defineProperty(LightweightResponse, 'name', { value: 'Response' });
  return LightweightResponse as unknown as typeof Response;
}
