/**
 * A small local Lambda Runtime API (the HTTP interface a runtime client such as aws-lambda-ric
 * polls), written with node:http on 127.0.0.1. It queues invocations, hands them out on
 * `GET …/invocation/next`, and records what the runtime posts back: a buffered response, a
 * streamed response (chunked body + error trailers), an invocation error or an init error.
 *
 * This stands in for Lambda's service side only; the runtime client, the handler and the adapter
 * under test are the real ones. AWS's Runtime Interface Emulator is a GitHub binary, not on npm or apt.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';

const PREFIX = '/2018-06-01/runtime';

export interface InvocationOutcome {
  requestId: string;
  kind: 'response' | 'error';
  /** True when the runtime used the streaming response mode. */
  streamed: boolean;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** HTTP trailers of a streamed response (Lambda-Runtime-Function-Error-Type/Body on failure). */
  trailers: Record<string, string | undefined>;
}

export interface InvokeOptions {
  /** Milliseconds to wait for the runtime's answer (default 20 s). */
  timeoutMs?: number;
  requestId?: string;
}

export interface RuntimeApi {
  /** `127.0.0.1:port`, the value for AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** Queues an event and resolves with what the runtime posted for it. */
  invoke(event: unknown, options?: InvokeOptions): Promise<InvocationOutcome>;
  /** Init errors the runtime reported (a handler that failed to load). */
  readonly initErrors: Buffer[];
  close(): Promise<void>;
}

interface Pending {
  requestId: string;
  event: unknown;
  resolve: (outcome: InvocationOutcome) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startRuntimeApi(): Promise<RuntimeApi> {
  const queue: Pending[] = [];
  const waiting: Array<(p: Pending) => void> = [];
  const inFlight = new Map<string, Pending>();
  const initErrors: Buffer[] = [];

  const dispatch = (p: Pending): void => {
    const taker = waiting.shift();
    if (taker) taker(p);
    else queue.push(p);
  };

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      const give = (p: Pending): void => {
        inFlight.set(p.requestId, p);
        const body = JSON.stringify(p.event);
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'Lambda-Runtime-Aws-Request-Id': p.requestId,
          'Lambda-Runtime-Deadline-Ms': String(Date.now() + 30_000),
          'Lambda-Runtime-Invoked-Function-Arn':
            'arn:aws:lambda:us-east-1:123456789012:function:tsgi-test',
          'Lambda-Runtime-Trace-Id': `Root=1-00000000-${p.requestId.slice(0, 24)};Sampled=0`,
        });
        res.end(body);
      };
      const next = queue.shift();
      if (next) give(next);
      else waiting.push(give);
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && m) {
      const requestId = decodeURIComponent(m[1]!);
      readAll(req).then(
        (body) => {
          res.writeHead(202, { 'Content-Type': 'application/json' });
          res.end('{"status":"OK"}');
          const p = inFlight.get(requestId);
          if (!p) return;
          inFlight.delete(requestId);
          clearTimeout(p.timer);
          p.resolve({
            requestId,
            kind: m[2] as 'response' | 'error',
            streamed: req.headers['lambda-runtime-function-response-mode'] === 'streaming',
            headers: req.headers,
            body,
            trailers: { ...req.trailers },
          });
        },
        (error: Error) => res.destroy(error),
      );
      return;
    }
    if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
      readAll(req).then((body) => {
        initErrors.push(body);
        res.writeHead(202).end('{"status":"OK"}');
      });
      return;
    }
    res.writeHead(404).end();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    initErrors,
    invoke(event, options = {}) {
      const requestId = options.requestId ?? randomUUID();
      return new Promise<InvocationOutcome>((resolve, reject) => {
        const timer = setTimeout(() => {
          inFlight.delete(requestId);
          const at = queue.findIndex((p) => p.requestId === requestId);
          if (at !== -1) queue.splice(at, 1);
          const init = initErrors.map((b) => b.toString()).join('\n');
          reject(
            new Error(
              `no answer from the runtime for ${requestId} within ${options.timeoutMs ?? 20_000} ms` +
                (init ? `; init errors: ${init}` : ''),
            ),
          );
        }, options.timeoutMs ?? 20_000);
        dispatch({ requestId, event, resolve, reject, timer });
      });
    },
    close() {
      for (const p of [...queue, ...inFlight.values()]) {
        clearTimeout(p.timer);
        p.reject(new Error('runtime API closed'));
      }
      queue.length = 0;
      inFlight.clear();
      waiting.length = 0;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** A streamed HTTP-integration response: JSON prelude, 8 NUL bytes, then the body. */
export interface StreamedHttpResponse {
  prelude: { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
  body: Buffer;
}

export function parseStreamedHttpResponse(raw: Buffer): StreamedHttpResponse {
  const delimiter = Buffer.alloc(8);
  const at = raw.indexOf(delimiter);
  if (at === -1) throw new Error(`no prelude delimiter in streamed response: ${raw.toString()}`);
  return {
    prelude: JSON.parse(raw.subarray(0, at).toString('utf8')) as StreamedHttpResponse['prelude'],
    body: raw.subarray(at + 8),
  };
}
