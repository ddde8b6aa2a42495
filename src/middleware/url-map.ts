/**
 * Dispatch by path prefix, the way a WSGI URL map does (Paste's URLMap, Werkzeug's
 * DispatcherMiddleware): the matched prefix moves from PATH_INFO to SCRIPT_NAME, so the mounted
 * app sees paths relative to itself and can still rebuild its full URL.
 */
import type { App, Environ } from '../types.js';

/**
 * PEP 3333's `shift_path_info` (wsgiref.util): moves the next segment of PATH_INFO onto
 * SCRIPT_NAME and returns it. Empty and `.` segments are dropped; `..` pops one. Returns undefined
 * when PATH_INFO is empty, and `''` for a trailing slash (then SCRIPT_NAME gets the `/`).
 */
export function shiftPathInfo(environ: Environ): string | undefined {
  const pathInfo = environ.PATH_INFO || '';
  if (!pathInfo) return undefined;
  const parts = pathInfo.split('/');
  const middle = parts.slice(1, -1).filter((p) => p && p !== '.');
  const rest = [parts[0]!, ...middle, ...(parts.length > 1 ? [parts[parts.length - 1]!] : [])];
  const name = rest[1] ?? '';
  rest.splice(1, 1);
  let scriptName = normalize(`${environ.SCRIPT_NAME || ''}/${name}`);
  if (scriptName.endsWith('/')) scriptName = scriptName.slice(0, -1);
  if (!name && !scriptName.endsWith('/')) scriptName += '/';
  environ.SCRIPT_NAME = scriptName;
  environ.PATH_INFO = rest.join('/');
  return name === '.' ? undefined : name;
}

/** posixpath.normpath for an absolute path: folds `.`, `..` and repeated slashes. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** Options of urlMap: the app for paths no prefix matches. */
export interface UrlMapOptions {
  /** The app for paths no prefix matches (default: a plain 404). */
  fallback?: App;
}

const notFound: App = (_environ, startResponse) => {
  startResponse('404 Not Found', [['Content-Type', 'text/plain; charset=utf-8']]);
  return ['Not Found\n'];
};

/**
 * An app that sends each request to the app mounted at the longest matching prefix of PATH_INFO:
 * `urlMap({ '/admin': admin, '/': site })`. Prefixes are latin-1 environ strings (as PATH_INFO).
 */
export function urlMap(mounts: Record<string, App>, options: UrlMapOptions = {}): App {
  const table = Object.entries(mounts)
    .map(([prefix, app]) => [prefix.replace(/\/+$/, ''), app] as const)
    .sort((a, b) => b[0].length - a[0].length);
  const fallback = options.fallback ?? notFound;
  return (environ, startResponse) => {
    const path = environ.PATH_INFO || '';
    for (const [prefix, app] of table) {
      if (prefix === '' || path === prefix || path.startsWith(`${prefix}/`)) {
        // A copy: the caller's environ keeps its own view (a middleware above may log it).
        const mounted: Environ = {
          ...environ,
          SCRIPT_NAME: (environ.SCRIPT_NAME || '') + prefix,
          PATH_INFO: path.slice(prefix.length),
        };
        return app(mounted, startResponse);
      }
    }
    return fallback(environ, startResponse);
  };
}
