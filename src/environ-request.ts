/**
 * The Request a Fetch handler gets from fromFetch: a view of the environ that builds each part
 * on first use. Most handlers read the method and the URL and little else, so the URL parser,
 * Headers, AbortSignal and body stream that a full `new Request()` makes every time are made
 * only when something asks for them.
 *
 * - `request instanceof Request` is true (the prototype chain goes through Request.prototype).
 * - `method`, `url`, `headers`, `body`, `bodyUsed`, `signal` and the body readers (`text()`,
 *   `json()`, `arrayBuffer()`, `bytes()`, `blob()`, `formData()`) are served from the environ;
 *   the readers take the body from `wsgi.input` in one read, without a stream.
 * - `clone()`, and any runtime code that reaches for a Request's internals (Node's
 *   `new Request(request, init)`, `fetch(request)`), get a real Request built from the same parts
 *   at that moment; from then on the body belongs to it.
 * - `signal` aborts when the server closes the response before its body was read to the end
 *   (the client went away mid-response). TSGI gives an app no notice of a client that leaves
 *   while the handler is still working, so neither does this signal.
 */
import { headerKey } from './environ.js';
import { errorFactory, withFixes } from './errors.js';
import { percentEncodeLatin1Path } from './latin1.js';
import type { Environ } from './types.js';

/**
 * The lazy Request's error, in a table of its own (docs/errors.md lists it with the core's): a
 * bundle that never builds one (toFetch, toWorker) does not carry it.
 */
export const FROM_FETCH_ERRORS = /* @__PURE__ */ withFixes(
  {
    ERR_TSGI_HOST_INVALID: {
      status: 400,
      message: 'the Host is no host[:port]; a Fetch handler would see another URL',
    },
  },
  {
    ERR_TSGI_HOST_INVALID:
      'The client sent a malformed Host header (a `\\`, `/`, `?`, `#` or `@` in it) and got a 400; nothing to fix on the server.',
  },
);

const fromFetchError = /* @__PURE__ */ errorFactory(FROM_FETCH_ERRORS);

const NO_BODY = new Set(['GET', 'HEAD']);
const decoder = new TextDecoder();

/**
 * host[:port] as RFC 3986 writes it (reg-name or IP literal). The URL parser reads more than
 * that: `a\admin?` or `x@y` in a Host header would change the path or host the handler sees.
 */
const VALID_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=]+)(?::[0-9]*)?$/;

/** The last host found valid: a keep-alive client sends the same one each time. */
let lastValidHost = '';

/** The host[:port] of the request URL; throws ERR_TSGI_HOST_INVALID (400) for one that is none. */
export function requestHost(environ: Environ): string {
  let host = environ.HTTP_HOST;
  if (!host) {
    const port = environ.SERVER_PORT;
    const defaultPort = environ['wsgi.url_scheme'] === 'https' ? '443' : '80';
    // nginx passes an empty SERVER_NAME from a server block without server_name (an HTTP/1.0
    // request may have no Host): `http:///p` would make `p` the host.
    const server = environ.SERVER_NAME || 'localhost';
    const name = server.includes(':') ? `[${server}]` : server;
    host = port && port !== defaultPort ? `${name}:${port}` : name;
  }
  if (host !== lastValidHost) {
    if (!VALID_HOST.test(host)) throw fromFetchError('ERR_TSGI_HOST_INVALID', JSON.stringify(host));
    lastValidHost = host;
  }
  return host;
}

/** Rebuilds the request URL from the environ (PEP 3333 "URL Reconstruction"). */
export function requestUrl(environ: Environ, stripScriptName = false): string {
  const scheme = environ['wsgi.url_scheme'];
  const host = requestHost(environ);
  const path =
    `${stripScriptName ? '' : environ.SCRIPT_NAME || ''}${environ.PATH_INFO || ''}` || '/';
  const query = environ.QUERY_STRING ? `?${urlQuery(environ.QUERY_STRING)}` : '';
  return `${scheme}://${host}${percentEncodeLatin1Path(path)}${query}`;
}

const HIGH_BYTE = /[\x80-\xff]/;
const HIGH_BYTES = /[\x80-\xff]/g;

/**
 * QUERY_STRING for a URL: its raw bytes past ASCII (a client may send UTF-8 unescaped, and nginx
 * passes it on) percent-encoded one by one. Left to the URL parser, each would be taken for a
 * character and UTF-8 encoded again: `q=café` would reach the handler as `q=cafÃ©`.
 */
function urlQuery(query: string): string {
  if (!HIGH_BYTE.test(query)) return query;
  return query.replace(HIGH_BYTES, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Path characters the URL parser keeps as they are (no dot segment may start with them: see below). */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@/]*$/;
/** Query characters the URL parser keeps as they are in an http(s) URL (it escapes `'` there). */
const PLAIN_QUERY = /^[A-Za-z0-9\-._~!$&()*+,;=:@%/?]*$/;

/** The last scheme://host asked about, and whether the URL parser keeps it as it is. */
let lastOrigin = { scheme: '', host: '', plain: false };

function plainOrigin(scheme: string, host: string): boolean {
  const last = lastOrigin;
  if (last.host === host && last.scheme === scheme) return last.plain;
  let plain = false;
  try {
    // The parser's own answer (it lower-cases, drops a default port, reads 0x7f.1 as an IPv4
    // address…): asked once per origin, as a keep-alive client sends the same Host each time.
    plain = new URL(`${scheme}://${host}/`).host === host;
  } catch {
    // Not a host the parser takes: the slow path throws as a real Request would.
  }
  lastOrigin = { scheme, host, plain };
  return plain;
}

/**
 * `request.url`: what `new URL()` makes of the environ's URL (PEP 3333 reconstruction). Built
 * directly when the parser would give it back unchanged (a known host, a path and query of plain
 * characters without dot segments), else through the parser.
 */
function canonicalUrl(environ: Environ, stripScriptName: boolean): string {
  const scheme = environ['wsgi.url_scheme'];
  const host = environ.HTTP_HOST;
  if (host && (scheme === 'http' || scheme === 'https') && plainOrigin(scheme, host)) {
    const path =
      `${stripScriptName ? '' : environ.SCRIPT_NAME || ''}${environ.PATH_INFO || ''}` || '/';
    const query = environ.QUERY_STRING;
    if (PLAIN_PATH.test(path) && !path.includes('/.') && (!query || PLAIN_QUERY.test(query))) {
      return query ? `${scheme}://${host}${path}?${query}` : `${scheme}://${host}${path}`;
    }
  }
  return new URL(requestUrl(environ, stripScriptName)).href;
}

/** Header name for an environ key: `HTTP_X_FORWARDED_FOR` → `x-forwarded-for`. */
function headerName(key: string): string {
  return key.slice(5).toLowerCase().replaceAll('_', '-');
}

/** The environ key holding a header: Content-Type and Content-Length are the CGI keys. */
function environKey(name: string): string {
  const lower = name.toLowerCase();
  if (lower === 'content-type') return 'CONTENT_TYPE';
  if (lower === 'content-length') return 'CONTENT_LENGTH';
  return headerKey(lower);
}

function headersFromEnviron(environ: Environ): Headers {
  const headers = new Headers();
  for (const key in environ) {
    if (key.charCodeAt(0) === 72 /* H */ && key.startsWith('HTTP_')) {
      const value = environ[key];
      if (typeof value === 'string') headers.append(headerName(key), value);
    }
  }
  if (environ.CONTENT_TYPE) headers.set('content-type', environ.CONTENT_TYPE);
  if (environ.CONTENT_LENGTH) headers.set('content-length', environ.CONTENT_LENGTH);
  return headers;
}

type Internal = Record<symbol, unknown>;

/**
 * Runtimes keep a Request's or Headers' state under symbol keys on the instance (Node's undici
 * does) and read it directly when one is passed to `new Request()`, `new Headers()` or
 * `fetch()`. Each such key gets a getter here that answers from the real object, built then.
 */
function forwardInternals(proto: object, sample: object, real: (self: object) => object): void {
  for (const key of Object.getOwnPropertySymbols(sample)) {
    if (Object.hasOwn(proto, key)) continue;
    Object.defineProperty(proto, key, {
      configurable: true,
      get(this: object) {
        return (real(this) as Internal)[key];
      },
    });
  }
}

const REAL = Symbol('tsgi.real');
const ABORT = Symbol('tsgi.abort');

/**
 * Request headers read straight from the environ: `get` and `has`, what routers and middleware
 * mostly call, look one key up; every other use (iteration, changes) works on a real Headers
 * filled from the environ at that moment.
 */
class EnvironHeaders {
  readonly #environ: Environ;
  #real: Headers | undefined;

  constructor(environ: Environ) {
    this.#environ = environ;
  }

  [REAL](): Headers {
    this.#real ??= headersFromEnviron(this.#environ);
    return this.#real;
  }

  get(name: string): string | null {
    // `x_a` and `x-a` share an environ key; only the real Headers tells them apart.
    if (this.#real || name.includes('_')) return this[REAL]().get(name);
    const value = this.#environ[environKey(name)];
    if (typeof value === 'string' && value !== '') return value;
    // A name that is no valid header name throws, as Headers does.
    return this[REAL]().get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  set(name: string, value: string): void {
    this[REAL]().set(name, value);
  }

  append(name: string, value: string): void {
    this[REAL]().append(name, value);
  }

  delete(name: string): void {
    this[REAL]().delete(name);
  }

  getSetCookie(): string[] {
    return this[REAL]().getSetCookie();
  }

  forEach(
    callback: (value: string, name: string, parent: Headers) => void,
    thisArg?: unknown,
  ): void {
    this[REAL]().forEach((value, name) => {
      callback.call(thisArg, value, name, this as unknown as Headers);
    });
  }

  entries(): IterableIterator<[string, string]> {
    return this[REAL]().entries();
  }

  keys(): IterableIterator<string> {
    return this[REAL]().keys();
  }

  values(): IterableIterator<string> {
    return this[REAL]().values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this[REAL]().entries();
  }
}

/** A body stream over wsgi.input; `onPull` tells the request its body is being read. */
function inputStream(environ: Environ, onPull: () => void): ReadableStream<Uint8Array> {
  const iterator = environ['wsgi.input'][Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      onPull();
      const r = await iterator.next();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
  });
}

function unusable(): TypeError {
  return new TypeError('Body is unusable: Body has already been read');
}

/** A body stream that has been read already: what a real Request holds after `text()`. */
function spentStream(): ReadableStream<Uint8Array> {
  const stream = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  void stream.getReader().read();
  return stream;
}

/** A Fetch `Request` built lazily from an environ: URL, headers and body are made on first use. */
export class EnvironRequest {
  readonly #environ: Environ;
  readonly #strip: boolean;
  #url: string | undefined;
  #headers: EnvironHeaders | undefined;
  /** The body stream handed out by `body`, if asked for. */
  #stream: ReadableStream<Uint8Array> | undefined;
  #used = false;
  #real: Request | undefined;
  #abort: AbortController | undefined;
  #abortReason: unknown;

  constructor(environ: Environ, stripScriptName = false) {
    this.#environ = environ;
    this.#strip = stripScriptName;
  }

  get method(): string {
    return this.#environ.REQUEST_METHOD;
  }

  get url(): string {
    this.#url ??= canonicalUrl(this.#environ, this.#strip);
    return this.#url;
  }

  get headers(): Headers {
    this.#headers ??= new EnvironHeaders(this.#environ);
    return this.#headers as unknown as Headers;
  }

  #hasBody(): boolean {
    const environ = this.#environ;
    return (
      !NO_BODY.has(environ.REQUEST_METHOD) &&
      (environ.CONTENT_LENGTH !== '0' || environ['wsgi.input_terminated'] === true)
    );
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#real) return this.#real.body;
    if (!this.#hasBody()) return null;
    if (this.#used && !this.#stream) this.#stream = spentStream();
    this.#stream ??= inputStream(this.#environ, () => {
      this.#used = true;
    });
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#real ? this.#real.bodyUsed : this.#used;
  }

  get signal(): AbortSignal {
    if (this.#real) return this.#real.signal;
    if (!this.#abort) {
      this.#abort = new AbortController();
      if (this.#abortReason !== undefined) this.#abort.abort(this.#abortReason);
    }
    return this.#abort.signal;
  }

  /** Aborts `signal`, or remembers why for when it is first asked for (nobody may ever ask). */
  [ABORT](reason: unknown): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    // The real Request, if built, follows this controller's signal.
    this.#abort?.abort(reason);
  }

  /** The real Request with the same parts; built once, then it owns the body. */
  [REAL](): Request {
    if (this.#real) return this.#real;
    const body = this.#hasBody() ? this.body : null;
    const init: RequestInit & { duplex?: 'half' } = {
      method: this.method,
      headers: this.#headers ? this.#headers[REAL]() : headersFromEnviron(this.#environ),
      signal: this.signal,
    };
    if (body) {
      init.body = body;
      init.duplex = 'half';
    }
    this.#real = new Request(this.url, init);
    return this.#real;
  }

  async #bytes(): Promise<Uint8Array> {
    if (this.#real || this.#stream) return new Uint8Array(await this[REAL]().arrayBuffer());
    if (this.#used) throw unusable();
    this.#used = true;
    if (!this.#hasBody()) return new Uint8Array(0);
    return this.#environ['wsgi.input'].read();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#bytes();
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (bytes.slice().buffer as ArrayBuffer);
  }

  async bytes(): Promise<Uint8Array> {
    return this.#bytes();
  }

  async text(): Promise<string> {
    return decoder.decode(await this.#bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    const type = this.#environ.CONTENT_TYPE ?? '';
    return new Blob([(await this.#bytes()) as Uint8Array<ArrayBuffer>], { type });
  }

  async formData(): Promise<FormData> {
    if (this.#real || this.#stream) return this[REAL]().formData();
    const bytes = await this.#bytes();
    const type = this.#environ.CONTENT_TYPE;
    // The platform's multipart and urlencoded parser, on the bytes already read.
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: type ? { 'content-type': type } : {},
    }).formData();
  }

  clone(): Request {
    if (this.#used && !this.#real && !this.#stream) throw unusable();
    return this[REAL]().clone();
  }

  // What a Request made on a server says for the fields a browser fills in.
  get cache(): Request['cache'] {
    return 'default';
  }
  get credentials(): Request['credentials'] {
    return 'same-origin';
  }
  get destination(): Request['destination'] {
    return '';
  }
  get integrity(): string {
    return '';
  }
  get keepalive(): boolean {
    return false;
  }
  get mode(): Request['mode'] {
    return 'cors';
  }
  get redirect(): Request['redirect'] {
    return 'follow';
  }
  get referrer(): string {
    return 'about:client';
  }
  get referrerPolicy(): Request['referrerPolicy'] {
    return '';
  }
  get duplex(): 'half' {
    return 'half';
  }
}

let linked = false;
/** Puts Request.prototype and Headers.prototype behind ours, on first use (no work at import). */
function link(): void {
  linked = true;
  Object.setPrototypeOf(EnvironRequest.prototype, Request.prototype);
  Object.setPrototypeOf(EnvironHeaders.prototype, Headers.prototype);
  forwardInternals(EnvironRequest.prototype, new Request('http://localhost/'), (self) =>
    (self as EnvironRequest)[REAL](),
  );
  forwardInternals(EnvironHeaders.prototype, new Headers(), (self) =>
    (self as EnvironHeaders)[REAL](),
  );
}

/** Aborts the request's `signal` with an AbortError: the server closed the response early. */
export function abortRequest(request: EnvironRequest): void {
  request[ABORT](new DOMException('The response was closed before its end', 'AbortError'));
}

/** The environ as a lazily built Request (see the top of this file). */
export function environRequest(environ: Environ, stripScriptName = false): EnvironRequest {
  if (!linked) link();
  return new EnvironRequest(environ, stripScriptName);
}
