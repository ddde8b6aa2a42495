/** A small HTTP/1.1 client over node:http, keeping raw headers (duplicates and Set-Cookie). */
import { Agent, request as httpRequest } from 'node:http';

export interface HttpResult {
  status: number;
  /** [name, value] pairs as received. */
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface HttpOptions {
  method?: string;
  path?: string;
  headers?: Array<[string, string]>;
  /** A Buffer body; an array of chunks is sent with Transfer-Encoding: chunked. */
  body?: Buffer | Buffer[];
  agent?: Agent;
  timeoutMs?: number;
}

export function httpCall(port: number, options: HttpOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    // A raw header array makes node skip its own Host header.
    const flat: string[] = ['Host', `127.0.0.1:${port}`];
    for (const [n, v] of options.headers ?? []) flat.push(n, v);
    const chunked = Array.isArray(options.body);
    if (options.body && !chunked)
      flat.push('Content-Length', String((options.body as Buffer).length));
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: options.method ?? 'GET',
      path: options.path ?? '/',
      headers: flat as unknown as Record<string, string>,
      agent: options.agent ?? new Agent({ keepAlive: false }),
    });
    const timer = setTimeout(
      () => req.destroy(new Error('request timed out')),
      options.timeoutMs ?? 20_000,
    );
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        const headers: Array<[string, string]> = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          headers.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(parts) });
      });
    });
    if (chunked) {
      for (const c of options.body as Buffer[]) req.write(c);
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

export function headerValues(result: HttpResult, name: string): string[] {
  return result.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}
