// The one app every platform runs in the conformance suite. It reports the CGI keys it saw (every
// string-valued environ key) and the body it read, and answers with the same headers everywhere:
// a duplicate header, two Set-Cookie, and at /bytes a binary body of every byte value.
import type { App } from 'tsgi';

const BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

function base64(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

const app: App = async (environ, start) => {
  const body = await environ['wsgi.input'].read();
  const headers: Array<[string, string]> = [
    ['X-Dup', 'one'],
    ['X-Dup', 'two'],
    ['Set-Cookie', 's1=1; Path=/'],
    ['Set-Cookie', 's2=2; Path=/; HttpOnly'],
  ];
  if (environ.PATH_INFO === '/bytes') {
    start('200 OK', [...headers, ['Content-Type', 'application/octet-stream']]);
    return [BYTES];
  }
  const cgi: Record<string, string> = {};
  for (const key of Object.keys(environ).sort()) {
    const value = environ[key];
    if (typeof value === 'string') cgi[key] = value;
  }
  start('200 OK', [...headers, ['Content-Type', 'application/json']]);
  return [JSON.stringify({ cgi, body: base64(body) })];
};

export default app;
