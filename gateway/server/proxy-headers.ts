/**
 * X-Forwarded-For / X-Forwarded-Proto on HTTP sockets, honoured only when the peer is a trusted
 * proxy (--forwarded-allow-ips, gunicorn's name; off by default). The client is the right-most
 * address in X-Forwarded-For that is not itself a trusted proxy, as uvicorn and nginx's
 * real_ip_recursive pick it: entries left of it were written by whoever the client is.
 */
import { isIP } from 'node:net';

function isTrusted(ip: string, trusted: ReadonlySet<string>): boolean {
  if (trusted.has('*') || trusted.has(ip)) return true;
  // A v4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
  return ip.startsWith('::ffff:') && trusted.has(ip.slice(7));
}

function lastItem(value: string): string {
  const comma = value.lastIndexOf(',');
  return (comma === -1 ? value : value.slice(comma + 1)).trim();
}

/** Rewrites REMOTE_ADDR and wsgi.url_scheme of an environ from a trusted peer's headers. */
export function applyProxyHeaders(
  env: Record<string, unknown>,
  trusted: ReadonlySet<string>,
): void {
  if (!isTrusted(String(env.REMOTE_ADDR ?? ''), trusted)) return;
  const forwardedFor = env.HTTP_X_FORWARDED_FOR;
  if (typeof forwardedFor === 'string') {
    const hops = forwardedFor.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!.trim();
      if (isIP(hop) === 0) break; // Not an address: nothing left of it can be trusted.
      env.REMOTE_ADDR = hop;
      if (!isTrusted(hop, trusted)) break;
    }
  }
  const proto = env.HTTP_X_FORWARDED_PROTO;
  if (typeof proto === 'string') {
    const scheme = lastItem(proto).toLowerCase();
    if (scheme === 'http' || scheme === 'https') env['wsgi.url_scheme'] = scheme;
  }
}
