/**
 * node:http's own parser (llhttp, strict: no lenient flags, as an http.Server without
 * insecureHTTPParser runs it), driven directly for differential tests of our HTTP codec. It is
 * the HTTPParser node:http itself takes from `_http_common` (on Node 20 and 24 alike).
 */
import { createRequire } from 'node:module';

interface ParserBinding {
  HTTPParser: {
    new (): NativeParser;
    REQUEST: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kLenientNone?: number;
  };
  methods: string[];
}

interface NativeParser {
  [slot: number]: unknown;
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(bytes: Buffer): number | Error;
  finish(): number | Error | undefined;
  close(): void;
}

export interface LlhttpMessage {
  method: string;
  url: string;
  minor: number;
  headers: string[];
  body: Buffer;
  keepAlive: boolean;
  upgrade: boolean;
  complete: boolean;
}

export interface LlhttpResult {
  messages: LlhttpMessage[];
  /** The parser's error code (e.g. HPE_INVALID_HEADER_TOKEN), or undefined. */
  error: string | undefined;
}

let binding: ParserBinding | undefined;

function load(): ParserBinding {
  if (binding) return binding;
  binding = createRequire(import.meta.url)('_http_common') as ParserBinding;
  return binding;
}

/** Parses `bytes` as request(s) with llhttp in strict mode, in one execute() call. */
export function llhttpParse(bytes: Buffer, maxHeaderSize = 16384): LlhttpResult {
  const { HTTPParser, methods } = load();
  const parser = new HTTPParser();
  const messages: LlhttpMessage[] = [];
  let current: LlhttpMessage | undefined;
  let pendingHeaders: string[] = [];
  let pendingUrl = '';
  parser[HTTPParser.kOnHeaders] = (headers: string[], url: string) => {
    pendingHeaders.push(...headers);
    pendingUrl += url;
  };
  parser[HTTPParser.kOnHeadersComplete] = (
    _major: number,
    minor: number,
    headers: string[] | undefined,
    method: number,
    url: string | undefined,
    _status: number,
    _message: string,
    upgrade: boolean,
    keepAlive: boolean,
  ) => {
    current = {
      method: methods[method] ?? String(method),
      url: pendingUrl + (url ?? ''),
      minor,
      headers: [...pendingHeaders, ...(headers ?? [])],
      body: Buffer.alloc(0),
      keepAlive,
      upgrade,
      complete: false,
    };
    pendingHeaders = [];
    pendingUrl = '';
    messages.push(current);
    return 0;
  };
  parser[HTTPParser.kOnBody] = (chunk: Buffer, start?: number, length?: number) => {
    const piece = start === undefined ? chunk : chunk.subarray(start, start + length!);
    if (current) current.body = Buffer.concat([current.body, piece]);
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    if (current) current.complete = true;
  };
  parser.initialize(HTTPParser.REQUEST, {}, maxHeaderSize, HTTPParser.kLenientNone ?? 0);
  let error: string | undefined;
  const result = parser.execute(bytes);
  if (result instanceof Error) error = (result as Error & { code?: string }).code ?? result.message;
  parser.close();
  return { messages, error };
}
