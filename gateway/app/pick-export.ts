/**
 * Finds the app in a loaded module, whatever the module system made of it: an ESM default, a
 * CommonJS `module.exports` (seen from ESM as the default), tsc's CommonJS output
 * (`exports.__esModule` + `exports.default`), a named export, or a Hono app (an object with
 * `fetch`), served through fromHono. When nothing fits, the error names the exports that could be.
 */
import { fromHono, type HonoFetchable } from '../../adapters/hono/index.js';
import type { App } from '../../src/index.js';
import { gatewayError } from '../errors.js';

type Namespace = Record<string, unknown>;

export interface PickedApp {
  app: App;
  /** Set when the export was adapted: what it was and how it is served (for the log). */
  note: string | null;
}

function isFetchable(value: unknown): value is HonoFetchable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { fetch?: unknown }).fetch === 'function'
  );
}

function looksLikeHono(value: HonoFetchable): boolean {
  const v = value as unknown as { route?: unknown; routes?: unknown };
  return typeof v.route === 'function' && Array.isArray(v.routes);
}

/** The export, looking through CommonJS wrappers: `{ default: x }` objects are unwrapped (twice at most). */
function lookUp(ns: Namespace, exportName: string): unknown {
  let value = ns[exportName];
  // A CommonJS module seen from ESM: its exports object is the default export.
  if (value === undefined && exportName !== 'default') {
    const exportsObject = ns.default;
    if (typeof exportsObject === 'object' && exportsObject !== null) {
      value = (exportsObject as Namespace)[exportName];
    }
  }
  for (let i = 0; i < 2 && exportName === 'default'; i++) {
    if (typeof value !== 'object' || value === null || isFetchable(value)) break;
    if (!('default' in value)) break;
    value = (value as Namespace).default;
  }
  return value;
}

/** Exports that could be an app: functions and objects with `fetch`. */
function appLikeExports(ns: Namespace): string[] {
  const names = new Set<string>();
  const scan = (object: Namespace) => {
    for (const [key, value] of Object.entries(object)) {
      if (key === 'default' || !/^[A-Za-z_$][\w$]*$/.test(key)) continue;
      if (typeof value === 'function' || isFetchable(value)) names.add(key);
    }
  };
  scan(ns);
  if (typeof ns.default === 'object' && ns.default !== null) scan(ns.default as Namespace);
  return [...names];
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  return typeof value;
}

export function pickExport(
  ns: Namespace,
  exportName: string,
  spec: string,
  path: string,
): PickedApp {
  const value = lookUp(ns, exportName);
  if (typeof value === 'function') return { app: value as App, note: null };
  if (isFetchable(value)) {
    const what = looksLikeHono(value) ? 'a Hono app' : 'an object with fetch()';
    return {
      app: fromHono(value),
      note: `${spec}: \`${exportName}\` is ${what}, served through fromHono (tsgi/hono)`,
    };
  }
  const candidates = appLikeExports(ns);
  const hint =
    candidates.length > 0
      ? `; name one of them: ${candidates.map((name) => `${path}:${name}`).join(', ')}`
      : exportName === 'default'
        ? '; export the app: `export default app` (ESM) or `module.exports = app` (CommonJS)'
        : '';
  const found = Object.keys(ns).filter((k) => k !== 'module.exports');
  throw gatewayError(
    'ERR_GATEWAY_APP_EXPORT',
    `${spec}: export \`${exportName}\` is ${describeValue(value)} (exports: ${found.join(', ') || 'none'})${hint}`,
  );
}
