/**
 * validator(app): wsgiref.validate for TSGI. It sits between a server and an app and checks both
 * sides of the contract (docs/spec.md, "Validator rules"). A breach throws ERR_TSGI_VALIDATOR with
 * the rule's id in brackets (`err.rule` holds it too); softer findings are written to wsgi.errors
 * as `tsgi validator warning [rule]: ...` lines.
 */
import { errorFactory, type TsgiError, withFixes } from './errors.js';
import { isLatin1 } from './latin1.js';
import { HOP_BY_HOP } from './start-response.js';
import type {
  App,
  BodyChunk,
  Environ,
  ErrorStream,
  HeaderList,
  InputStream,
  ResponseBody,
  StartResponse,
  Write,
} from './types.js';

/** Every rule the validator enforces, by id. The spec lists the same ids. */
export const VALIDATOR_RULES = {
  // The application call
  'app-arguments': 'the server calls the app with exactly (environ, startResponse)',
  'app-result': 'the app returns (or resolves to) a body, not undefined, null or false',
  'body-not-bytes': 'the body is an iterable of chunks, not a bare string or Uint8Array',
  'body-iterable': 'the body is an Iterable or an AsyncIterable',
  'body-chunk': 'every chunk the body yields is a Uint8Array or a string',
  'start-response-called': 'startResponse is called before the first chunk or the end of the body',
  'body-after-close': 'the server does not iterate the body after closing it',
  'body-close': "the server calls the body's close() (or its iterator's return()) when done",
  // environ
  'environ-object': 'environ is a plain object (not a Map, an array or a class instance)',
  'environ-required': 'environ holds every required key (docs/spec.md, "Required keys")',
  'environ-http-content': 'Content-Type/Length are CONTENT_TYPE/LENGTH, never HTTP_CONTENT_*',
  'environ-cgi-string': 'every key without a dot has a latin-1 string value (U+0000..U+00FF)',
  'environ-version': 'wsgi.version is the array [1, 0]',
  'environ-url-scheme': "wsgi.url_scheme is 'http' or 'https'",
  'environ-flags': 'wsgi.multithread, multiprocess, run_once (and input_terminated) are booleans',
  'environ-method': 'REQUEST_METHOD is a non-empty token (unknown methods are a warning)',
  'environ-server': 'SERVER_NAME and SERVER_PORT are non-empty',
  'environ-script-name': "SCRIPT_NAME is '' or starts with '/', and is never '/' alone",
  'environ-path-info': "PATH_INFO is '' or starts with '/'",
  'environ-content-length': 'CONTENT_LENGTH, when not empty, is a non-negative integer',
  'environ-input': 'wsgi.input has read, readline, readlines and async iteration',
  'environ-errors': 'wsgi.errors has write, writelines and flush',
  'environ-wait-until': 'tsgi.waitUntil, when present, is a function',
  'environ-websocket': 'tsgi.websocket, when present, has accept() and a protocols array',
  // wsgi.input and wsgi.errors in use
  'input-arguments': 'read/readline take at most one integer size; readlines at most one hint',
  'input-result': 'wsgi.input methods resolve to Uint8Array (readlines: an array of them)',
  'input-concurrent': 'the app does not start a wsgi.input read while another is pending',
  'input-close': 'the app never closes wsgi.input',
  'errors-string': 'wsgi.errors.write/writelines get strings',
  'errors-close': 'the app never closes wsgi.errors',
  // startResponse and write
  'start-response-arguments': 'startResponse gets 2 or 3 arguments',
  status: "status is a latin-1 string 'NNN Reason': three digits 100–599, no control characters",
  'headers-array': 'headers is an array',
  'header-pair': 'each header is a [name, value] array of two strings',
  'header-status': 'there is no Status header',
  'header-name': 'header names are letters, digits, - and _, start with a letter, end with neither',
  'header-value': 'header values are latin-1 with no control characters (no CR/LF)',
  'header-hop-by-hop': 'the app sets no hop-by-hop header (Connection, Transfer-Encoding, ...)',
  'content-type': 'Content-Type is set, except on 204 and 304 where it must be absent',
  'exc-info': 'excInfo is undefined, null or the caught error object',
  'start-response-twice': 'a second startResponse call passes excInfo',
  'exc-info-rethrow': "after headers were sent, the server's startResponse throws excInfo",
  'write-callable': 'startResponse returns the write function',
  'write-chunk': 'write() gets a Uint8Array or a string',
  'write-after-end': 'write() is not called once the body ended or was closed',
} as const;

/**
 * The validator's error, in a table of its own (docs/errors.md lists it with the core's): a
 * bundle of an app that does not use validator() does not carry it.
 */
export const VALIDATOR_ERRORS = /* @__PURE__ */ withFixes(
  {
    ERR_TSGI_VALIDATOR: { status: 500, message: 'validator() found a breach of the TSGI contract' },
  },
  {
    ERR_TSGI_VALIDATOR:
      'The message names the rule (docs/spec.md); fix the app, middleware or server it names.',
  },
);

const validatorError = /* @__PURE__ */ errorFactory(VALIDATOR_ERRORS);

/** The name of one validator check (a key of VALIDATOR_RULES). */
export type ValidatorRule = keyof typeof VALIDATOR_RULES;

/** The error a breach throws: code ERR_TSGI_VALIDATOR, plus the rule id. */
export type ValidatorError = TsgiError & { readonly rule: ValidatorRule };

function breach(rule: ValidatorRule, detail: string): ValidatorError {
  const error = validatorError(
    'ERR_TSGI_VALIDATOR',
    `[${rule}] ${detail} (${VALIDATOR_RULES[rule]})`,
  );
  return Object.assign(error, { rule });
}

function warn(errors: ErrorStream, rule: ValidatorRule, detail: string): void {
  errors.write(`tsgi validator warning [${rule}]: ${detail}\n`);
  errors.flush();
}

const REQUIRED_KEYS = [
  'REQUEST_METHOD',
  'SCRIPT_NAME',
  'PATH_INFO',
  'QUERY_STRING',
  'SERVER_NAME',
  'SERVER_PORT',
  'SERVER_PROTOCOL',
  'wsgi.version',
  'wsgi.url_scheme',
  'wsgi.input',
  'wsgi.errors',
  'wsgi.multithread',
  'wsgi.multiprocess',
  'wsgi.run_once',
] as const;
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'OPTIONS',
  'PATCH',
  'PUT',
  'DELETE',
  'TRACE',
  'CONNECT',
]);
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_NAME_RE = /^[a-zA-Z][a-zA-Z0-9\-_]*$/;
const CONTROL_RE = /[\x00-\x1f\x7f]/;

const isFunction = (v: unknown): boolean => typeof v === 'function';
const describe = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'string'
        ? 'a string'
        : typeof v;

/** The TSGI extension keys: absent, or the shape docs/spec.md gives them. */
function checkExtensions(env: Record<string, unknown>): void {
  const waitUntil = env['tsgi.waitUntil'];
  if (waitUntil !== undefined && !isFunction(waitUntil)) {
    throw breach('environ-wait-until', `tsgi.waitUntil is ${describe(waitUntil)}`);
  }
  const ws = env['tsgi.websocket'] as { accept?: unknown; protocols?: unknown } | undefined;
  if (ws === undefined) return;
  if (!isFunction(ws?.accept))
    throw breach('environ-websocket', 'tsgi.websocket.accept is missing');
  if (!Array.isArray(ws.protocols)) {
    throw breach('environ-websocket', 'tsgi.websocket.protocols is not an array');
  }
}

function checkEnviron(environ: unknown): asserts environ is Environ {
  if (typeof environ !== 'object' || environ === null || Array.isArray(environ)) {
    throw breach('environ-object', `environ is ${describe(environ)}`);
  }
  const proto = Object.getPrototypeOf(environ);
  if (proto !== Object.prototype && proto !== null) {
    throw breach('environ-object', `environ is a ${proto?.constructor?.name ?? 'class'} instance`);
  }
  const env = environ as Record<string, unknown>;
  for (const key of REQUIRED_KEYS) {
    if (env[key] === undefined) throw breach('environ-required', `${key} is missing`);
  }
  const errors = env['wsgi.errors'] as Record<string, unknown>;
  for (const m of ['write', 'writelines', 'flush']) {
    if (!isFunction(errors?.[m])) throw breach('environ-errors', `wsgi.errors.${m} is missing`);
  }
  const input = env['wsgi.input'] as Record<string | symbol, unknown>;
  for (const m of ['read', 'readline', 'readlines', Symbol.asyncIterator]) {
    if (!isFunction(input?.[m]))
      throw breach('environ-input', `wsgi.input.${String(m)} is missing`);
  }
  for (const key of ['HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH']) {
    if (key in env) throw breach('environ-http-content', `${key} is set`);
  }
  checkExtensions(env);
  for (const key of Object.keys(env)) {
    if (key.includes('.')) continue;
    const value = env[key];
    if (typeof value !== 'string')
      throw breach('environ-cgi-string', `${key} is ${describe(value)}`);
    if (!isLatin1(value)) {
      throw breach(
        'environ-cgi-string',
        `${key} has a char above U+00FF: ${JSON.stringify(value)}`,
      );
    }
  }
  const version = env['wsgi.version'];
  if (!Array.isArray(version) || version.length !== 2 || version[0] !== 1 || version[1] !== 0) {
    throw breach('environ-version', `wsgi.version is ${JSON.stringify(version)}`);
  }
  const scheme = env['wsgi.url_scheme'];
  if (scheme !== 'http' && scheme !== 'https') {
    throw breach('environ-url-scheme', `wsgi.url_scheme is ${JSON.stringify(scheme)}`);
  }
  for (const key of ['wsgi.multithread', 'wsgi.multiprocess', 'wsgi.run_once']) {
    if (typeof env[key] !== 'boolean')
      throw breach('environ-flags', `${key} is ${describe(env[key])}`);
  }
  const terminated = env['wsgi.input_terminated'];
  if (terminated !== undefined && typeof terminated !== 'boolean') {
    throw breach('environ-flags', `wsgi.input_terminated is ${describe(terminated)}`);
  }
  const e = env as unknown as Environ;
  if (!TOKEN_RE.test(e.REQUEST_METHOD)) {
    throw breach('environ-method', `REQUEST_METHOD is ${JSON.stringify(e.REQUEST_METHOD)}`);
  }
  if (!KNOWN_METHODS.has(e.REQUEST_METHOD)) {
    warn(e['wsgi.errors'], 'environ-method', `unknown REQUEST_METHOD ${e.REQUEST_METHOD}`);
  }
  if (!e.SERVER_NAME) throw breach('environ-server', 'SERVER_NAME is empty');
  if (!e.SERVER_PORT) throw breach('environ-server', 'SERVER_PORT is empty');
  const script = e.SCRIPT_NAME;
  if ((script && !script.startsWith('/')) || script === '/') {
    throw breach('environ-script-name', `SCRIPT_NAME is ${JSON.stringify(script)}`);
  }
  if (e.PATH_INFO && !e.PATH_INFO.startsWith('/')) {
    throw breach('environ-path-info', `PATH_INFO is ${JSON.stringify(e.PATH_INFO)}`);
  }
  if (e.CONTENT_LENGTH && !/^\d+$/.test(e.CONTENT_LENGTH)) {
    throw breach('environ-content-length', `CONTENT_LENGTH is ${JSON.stringify(e.CONTENT_LENGTH)}`);
  }
}

function isSize(v: unknown): boolean {
  return v === undefined || v === null || Number.isInteger(v);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | null)?.then === 'function';
}

/** wsgi.input with its use checked. Adds close(), which only reports the breach. */
function checkedInput(input: InputStream): InputStream & { close(): never } {
  let busy = false;
  async function call<T>(what: string, run: () => unknown, check: (v: unknown) => v is T) {
    if (busy) throw breach('input-concurrent', `${what} while another read is pending`);
    busy = true;
    try {
      const pending = run();
      if (!isThenable(pending)) throw breach('input-result', `${what} did not return a promise`);
      const value = await pending;
      if (!check(value)) throw breach('input-result', `${what} resolved to ${describe(value)}`);
      return value;
    } finally {
      busy = false;
    }
  }
  const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
  const isLines = (v: unknown): v is Uint8Array[] => Array.isArray(v) && v.every(isBytes);
  function sizeArgs(what: string, args: unknown[]): void {
    if (args.length > 1 || !isSize(args[0])) {
      throw breach('input-arguments', `${what} got (${args.map(describe).join(', ')})`);
    }
  }
  return {
    async read(...args: unknown[]) {
      sizeArgs('read()', args);
      return call('read()', () => input.read(args[0] as number | undefined), isBytes);
    },
    async readline(...args: unknown[]) {
      sizeArgs('readline()', args);
      return call('readline()', () => input.readline(args[0] as number | undefined), isBytes);
    },
    async readlines(...args: unknown[]) {
      sizeArgs('readlines()', args);
      return call('readlines()', () => input.readlines(args[0] as number | undefined), isLines);
    },
    async *[Symbol.asyncIterator]() {
      const it = input[Symbol.asyncIterator]();
      try {
        for (;;) {
          const r = await call(
            'iteration',
            () => it.next(),
            (v): v is IteratorResult<Uint8Array> => {
              const res = v as IteratorResult<unknown> | null;
              return (
                typeof res === 'object' && res !== null && (res.done === true || isBytes(res.value))
              );
            },
          );
          if (r.done) return;
          yield r.value;
        }
      } finally {
        await it.return?.();
      }
    },
    close(): never {
      throw breach('input-close', 'wsgi.input.close() was called');
    },
  };
}

function checkedErrors(errors: ErrorStream): ErrorStream & { close(): never } {
  return {
    write(text: unknown) {
      if (typeof text !== 'string') throw breach('errors-string', `write() got ${describe(text)}`);
      errors.write(text);
    },
    writelines(lines: Iterable<unknown>) {
      const all = [...lines];
      for (const line of all) {
        if (typeof line !== 'string') {
          throw breach('errors-string', `writelines() got ${describe(line)}`);
        }
      }
      errors.writelines(all as string[]);
    },
    flush() {
      errors.flush();
    },
    close(): never {
      throw breach('errors-close', 'wsgi.errors.close() was called');
    },
  };
}

function checkStatus(status: unknown, errors: ErrorStream): number {
  if (typeof status !== 'string') throw breach('status', `status is ${describe(status)}`);
  const code = status.split(' ', 1)[0]!;
  if (!/^\d{3}$/.test(code) || Number(code) < 100 || Number(code) > 599) {
    throw breach('status', `status ${JSON.stringify(status)} does not start with a code 100–599`);
  }
  if (CONTROL_RE.test(status) || !isLatin1(status)) {
    throw breach('status', `status ${JSON.stringify(status)} has a control or non-latin-1 char`);
  }
  if (status.length < 5 || status[3] !== ' ') {
    warn(errors, 'status', `status ${JSON.stringify(status)} has no reason phrase`);
  }
  return Number(code);
}

function checkHeaderList(headers: unknown, code: number): void {
  if (!Array.isArray(headers)) throw breach('headers-array', `headers is ${describe(headers)}`);
  let contentType = false;
  for (const h of headers as unknown[]) {
    if (
      !Array.isArray(h) ||
      h.length !== 2 ||
      typeof h[0] !== 'string' ||
      typeof h[1] !== 'string'
    ) {
      throw breach('header-pair', `header ${JSON.stringify(h)}`);
    }
    const [name, value] = h as [string, string];
    const lower = name.toLowerCase();
    if (lower === 'status') throw breach('header-status', 'a Status header was set');
    if (!HEADER_NAME_RE.test(name) || name.endsWith('-') || name.endsWith('_')) {
      throw breach('header-name', `header name ${JSON.stringify(name)}`);
    }
    if (CONTROL_RE.test(value) || !isLatin1(value)) {
      throw breach('header-value', `value of ${name}: ${JSON.stringify(value)}`);
    }
    if (HOP_BY_HOP.has(lower)) throw breach('header-hop-by-hop', `header ${name}`);
    if (lower === 'content-type') contentType = true;
  }
  const noBody = code === 204 || code === 304;
  if (noBody && contentType) throw breach('content-type', `a ${code} response has a Content-Type`);
  if (!noBody && !contentType)
    throw breach('content-type', `a ${code} response has no Content-Type`);
}

/** What the validator knows about one request. */
interface CallState {
  started: boolean;
  /** A non-empty chunk went to the server: by the spec, the headers are committed. */
  headersSent: boolean;
  /** The body ended or was closed: the response is over, a write() would be lost. */
  ended: boolean;
  errors: ErrorStream;
}

function checkedStartResponse(startResponse: StartResponse, state: CallState): StartResponse {
  return (...args: unknown[]): Write => {
    if (args.length < 2 || args.length > 3) {
      throw breach('start-response-arguments', `got ${args.length} arguments`);
    }
    const [status, headers, excInfo] = args;
    const hasExc = excInfo !== undefined && excInfo !== null;
    if (hasExc && typeof excInfo !== 'object') {
      throw breach('exc-info', `excInfo is ${describe(excInfo)}, not the caught error`);
    }
    if (state.started && !hasExc) throw breach('start-response-twice', 'no excInfo on a new call');
    const code = checkStatus(status, state.errors);
    checkHeaderList(headers, code);
    state.started = true;
    const write = startResponse(status as string, headers as HeaderList, excInfo);
    if (hasExc && state.headersSent) {
      throw breach('exc-info-rethrow', 'startResponse returned after the headers were sent');
    }
    if (typeof write !== 'function') throw breach('write-callable', `got ${describe(write)}`);
    return (chunk: BodyChunk) => {
      if (!(chunk instanceof Uint8Array) && typeof chunk !== 'string') {
        throw breach('write-chunk', `write() got ${describe(chunk)}`);
      }
      // The server drops it without a word: the response it belonged to is already over.
      if (state.ended) throw breach('write-after-end', `write() of ${chunk.length} after the end`);
      if (chunk.length > 0) state.headersSent = true;
      return write(chunk);
    };
  };
}

/** Warns when a body is garbage-collected without close() (like wsgiref's __del__ check). */
// Guarded: a runtime without FinalizationRegistry still gets every other check.
const unclosed =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<{ closed: boolean; errors: ErrorStream }>(warnUnclosed)
    : undefined;

function warnUnclosed(flag: { closed: boolean; errors: ErrorStream }): void {
  if (!flag.closed) {
    try {
      warn(flag.errors, 'body-close', 'the body was dropped without close() or return()');
    } catch {
      // The request's error stream may be gone; nothing else can report this.
    }
  }
}

/** Wraps the app's body: checks each chunk, closing, and iteration after close. */
function checkedBody(body: unknown, state: CallState): ResponseBody {
  if (body === undefined || body === null || body === false) {
    throw breach('app-result', `the app returned ${String(body)}`);
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    throw breach('body-not-bytes', `the app returned ${describe(body)} as the body`);
  }
  const source = body as Partial<Iterable<unknown> & AsyncIterable<unknown>> & {
    close?: () => unknown;
  };
  const isAsync = isFunction(source[Symbol.asyncIterator]);
  if (!isAsync && !isFunction(source[Symbol.iterator])) {
    throw breach('body-iterable', `the app returned ${describe(body)}`);
  }
  const flag = { closed: false, errors: state.errors };
  let iterator: Iterator<unknown> | AsyncIterator<unknown> | undefined;
  let finished = false;
  let first = true;

  const open = () => {
    if (flag.closed) throw breach('body-after-close', 'the body was iterated after close()');
    iterator ??= isAsync ? source[Symbol.asyncIterator]!() : source[Symbol.iterator]!();
    return iterator;
  };
  const seen = (r: IteratorResult<unknown>): IteratorResult<BodyChunk> => {
    if (r.done) {
      finished = true;
      state.ended = true;
      if (!state.started) throw breach('start-response-called', 'the body ended first');
      return { done: true, value: undefined };
    }
    const chunk = r.value;
    if (!(chunk instanceof Uint8Array) && typeof chunk !== 'string') {
      throw breach('body-chunk', `the body yielded ${describe(chunk)}`);
    }
    if (first) {
      first = false;
      if (!state.started) throw breach('start-response-called', 'the first chunk came first');
    }
    if (chunk.length > 0) state.headersSent = true;
    return { done: false, value: chunk };
  };
  const next = () => {
    const it = open();
    if (flag.closed) throw breach('body-after-close', 'next() after close()');
    return it.next();
  };
  const close = (): unknown => {
    if (flag.closed) return undefined;
    flag.closed = true;
    state.ended = true;
    const steps: Array<() => unknown> = [];
    if (iterator && !finished && isFunction(iterator.return)) steps.push(() => iterator!.return!());
    if (isFunction(source.close)) steps.push(() => source.close!());
    if (!isAsync) {
      for (const step of steps) step();
      return undefined;
    }
    return (async () => {
      for (const step of steps) await step();
    })();
  };

  const wrapped = isAsync
    ? {
        [Symbol.asyncIterator]: (): AsyncIterator<BodyChunk> => ({
          next: async () => seen(await next()),
          return: async () => {
            await close();
            return { done: true, value: undefined };
          },
        }),
        close: () => close(),
      }
    : {
        [Symbol.iterator]: (): Iterator<BodyChunk> => ({
          next: () => seen(next() as IteratorResult<unknown>),
          return: () => {
            close();
            return { done: true, value: undefined };
          },
        }),
        close: () => close(),
      };
  unclosed?.register(wrapped, flag);
  return wrapped as ResponseBody;
}

/**
 * Wraps `app` so that every call checks the server's environ and inputs and the app's use of
 * startResponse, write() and its body (the wsgiref.validate checklist in JS terms).
 */
export function validator(app: App): App {
  return function validated(...args: unknown[]) {
    if (args.length !== 2) throw breach('app-arguments', `got ${args.length} arguments`);
    const [environ, startResponse] = args;
    checkEnviron(environ);
    if (!isFunction(startResponse)) {
      throw breach('app-arguments', `startResponse is ${describe(startResponse)}`);
    }
    environ['wsgi.input'] = checkedInput(environ['wsgi.input']);
    environ['wsgi.errors'] = checkedErrors(environ['wsgi.errors']);
    const state: CallState = {
      started: false,
      headersSent: false,
      ended: false,
      errors: environ['wsgi.errors'],
    };
    const result = app(environ, checkedStartResponse(startResponse as StartResponse, state));
    if (isThenable(result)) return Promise.resolve(result).then((b) => checkedBody(b, state));
    return checkedBody(result, state);
  } as App;
}
