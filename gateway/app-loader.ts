/**
 * Loads APP = `path/to/module[:export]` (export defaults to `default`). .js and .mjs load as they
 * are; .ts/.mts/.cts go through tsx's loader hooks, registered once on first use.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App } from '../src/index.js';
import { gatewayError } from './errors.js';

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);
let tsRegistered = false;

export interface AppSpec {
  path: string;
  exportName: string;
}

/** `app.ts:handler` → { path: 'app.ts', exportName: 'handler' }. */
export function parseAppSpec(spec: string): AppSpec {
  const m = /^(.*):([A-Za-z_$][\w$]*)$/.exec(spec);
  if (m && m[1] !== '') return { path: m[1]!, exportName: m[2]! };
  return { path: spec, exportName: 'default' };
}

async function registerTypeScript(): Promise<void> {
  if (tsRegistered) return;
  tsRegistered = true;
  const { register } = await import('tsx/esm/api');
  register();
}

export async function loadApp(spec: string, cwd = process.cwd()): Promise<App> {
  const { path, exportName } = parseAppSpec(spec);
  const file = resolve(cwd, path);
  if (!existsSync(file))
    throw gatewayError('ERR_GATEWAY_APP_LOAD', `${spec}: no such file ${file}`);
  let module: Record<string, unknown>;
  try {
    if (TS_EXTENSIONS.has(extname(file))) await registerTypeScript();
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (cause) {
    throw gatewayError(
      'ERR_GATEWAY_APP_LOAD',
      `${spec}: ${(cause as Error)?.message ?? cause}`,
      cause,
    );
  }
  let app = module[exportName];
  // A CommonJS module seen from ESM: its exports object is the default export.
  if (app === undefined && exportName !== 'default') {
    app = (module.default as Record<string, unknown> | undefined)?.[exportName];
  }
  if (typeof app !== 'function') {
    const found = Object.keys(module).join(', ') || 'none';
    throw gatewayError(
      'ERR_GATEWAY_APP_EXPORT',
      `${spec}: export \`${exportName}\` is ${app === undefined ? 'missing' : typeof app} (exports: ${found})`,
    );
  }
  return app as App;
}
