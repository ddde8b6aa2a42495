/**
 * Background work after the response with `tsgi.waitUntil`: `/signup?email=…` answers at once and
 * sends the welcome mail afterwards; `/outbox` lists what was sent (in this process or isolate).
 * Runs unchanged under toFetch, Workers, the gateway and Lambda (docs/spec.md, Extensions).
 */
import type { App } from 'tsgi';

/** What the "mail server" received, in order. A real app would call an API here. */
export const outbox: string[] = [];

async function sendWelcome(email: string, delayMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  outbox.push(`welcome ${email}`);
}

const app: App = (environ, startResponse) => {
  const query = new URLSearchParams(environ.QUERY_STRING);
  if (environ.PATH_INFO === '/signup') {
    const email = query.get('email') ?? 'someone@example.com';
    // Not awaited: the response goes out now, the platform keeps the work alive.
    environ['tsgi.waitUntil']?.(sendWelcome(email, Number(query.get('delay') ?? '200')));
    startResponse('202 Accepted', [['Content-Type', 'text/plain; charset=utf-8']]);
    return [`signed up ${email}; the welcome mail follows\n`];
  }
  if (environ.PATH_INFO === '/outbox') {
    startResponse('200 OK', [['Content-Type', 'application/json']]);
    return [JSON.stringify(outbox)];
  }
  startResponse('404 Not Found', [['Content-Type', 'text/plain; charset=utf-8']]);
  return ['Not Found\n'];
};

export default app;
