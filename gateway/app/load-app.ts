/**
 * Loads APP = `path/to/module[:export]` (export defaults to `default`) in any project: .js, .mjs,
 * .cjs as Node loads them (ESM or CommonJS, by extension and package.json "type"); .ts, .mts, .cts
 * through tsx or Node's type stripping (typescript.ts). The export is found by
 * pick-export.ts. Only a serving process calls this, never the master.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App } from '../../src/index.js';
import { gatewayError } from '../errors.js';
import { pickExport } from './pick-export.js';
import { prepareTypeScript, TS_EXTENSIONS } from './typescript.js';

export interface AppSpec {
  path: string;
  exportName: string;
}

export interface LoadAppOptions {
  /** Told how the app is served when the loader adapted it (a Hono app through fromHono). */
  log?: (line: string) => void;
}

/** `app.ts:handler` → { path: 'app.ts', exportName: 'handler' }. */
export function parseAppSpec(spec: string): AppSpec {
  const m = /^(.*):([A-Za-z_$][\w$]*)$/.exec(spec);
  if (m && m[1] !== '') return { path: m[1]!, exportName: m[2]! };
  return { path: spec, exportName: 'default' };
}

/** What to do about the common ways an import fails, beyond the error itself. */
function importHint(cause: unknown): string | null {
  const e = cause as { code?: string; message?: string } | null;
  const message = e?.message ?? '';
  if (/\b(module|exports|require) is not defined in ES module scope/.test(message)) {
    return 'the file uses CommonJS (module.exports, exports, require) but its package.json says "type": "module": rename it to .cjs (.cts), or use export/import';
  }
  if (/Unexpected token 'export'|Cannot use import statement outside a module/.test(message)) {
    return 'the file uses ESM syntax (import/export) but Node loads it as CommonJS (its package.json says "type": "commonjs", as `npm init -y` writes): set "type": "module", rename it .mjs (.mts), or for .ts install tsx (`npm i -D tsx`), which compiles it either way';
  }
  if (
    e?.code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX' ||
    e?.code === 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING'
  ) {
    return "Node's type stripping cannot run this file (enum, namespace, parameter properties, or a .ts under node_modules): `npm i -D tsx` and tsgi uses it";
  }
  return null;
}

function importFailed(spec: string, cause: unknown): Error {
  const e = cause as { message?: string; stack?: string } | null;
  const first = String(e?.message ?? cause).split('\n')[0];
  const hint = importHint(cause);
  // The stack shows where in the app (or its imports) the module threw.
  const stack = typeof e?.stack === 'string' ? `\n${e.stack.replace(/^/gm, '    ')}` : '';
  return gatewayError(
    'ERR_GATEWAY_APP_LOAD',
    `${spec}: ${first}${hint ? `\n  hint: ${hint}` : ''}${stack}`,
    cause,
  );
}

/** Loads APP (`path/to/module[:export]`) as the gateway does: ESM or CommonJS, .js or .ts, a Hono app through fromHono (docs/app-loading.md). */
export async function loadApp(
  spec: string,
  cwd = process.cwd(),
  options: LoadAppOptions = {},
): Promise<App> {
  const { path, exportName } = parseAppSpec(spec);
  const file = resolve(cwd, path);
  if (!existsSync(file))
    throw gatewayError('ERR_GATEWAY_APP_LOAD', `${spec}: no such file ${file}`);
  if (TS_EXTENSIONS.has(extname(file))) await prepareTypeScript(file);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (cause) {
    throw importFailed(spec, cause);
  }
  const picked = pickExport(module, exportName, spec, path);
  if (picked.note) options.log?.(picked.note);
  return picked.app;
}
