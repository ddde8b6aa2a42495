/**
 * The hello-world TSGI app: `Hello, World!` on `/`, the request's environ as JSON on `/environ`,
 * 404 elsewhere. `npm start` serves it; so do the Workers and Lambda adapters.
 */
import type { App } from 'tsgi';

const text = (status: string, body: string): [string, [string, string][], string] => [
  status,
  [['Content-Type', 'text/plain; charset=utf-8']],
  body,
];

/** The environ's plain values (strings, booleans, wsgi.version); streams and objects are named. */
function describeEnviron(environ: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(environ).sort()) {
    const value = environ[key];
    out[key] =
      typeof value === 'string' || typeof value === 'boolean' || Array.isArray(value)
        ? value
        : `[${typeof value}]`;
  }
  return out;
}

const app: App = (environ, startResponse) => {
  const path = environ.PATH_INFO || '/';
  if (path === '/environ') {
    startResponse('200 OK', [['Content-Type', 'application/json']]);
    return [JSON.stringify(describeEnviron(environ), null, 2), '\n'];
  }
  const [status, headers, body] =
    path === '/' ? text('200 OK', 'Hello, World!') : text('404 Not Found', 'Not Found\n');
  startResponse(status, headers);
  return [body];
};

export default app;
