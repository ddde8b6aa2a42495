/**
 * How a .ts/.mts/.cts app gets loaded. tsx when the project has it (every TypeScript feature,
 * tsconfig paths, on every Node ≥ 20); otherwise Node's own type stripping where it is on by
 * default (Node ≥ 22.18: erasable syntax only), with esm-typescript-hooks.ts so an ESM app.ts in a
 * "type": "commonjs" package loads as it does under tsx. tsx is an optional peer dependency, so Workers and
 * Lambda installs do not carry esbuild.
 */
import { readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gatewayError } from '../errors.js';

export const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

export type TypeScriptLoader = 'tsx' | 'node';

let registered: TypeScriptLoader | null = null;

interface Registrable {
  register: () => unknown;
}

/** An entry of tsx's exports map for `import` (its require builds resolve their hooks differently). */
function importEntry(dir: string, exportsMap: Record<string, unknown>, subpath: string): string {
  const entry = exportsMap[subpath] as { import?: { default?: string } } | undefined;
  const target = entry?.import?.default;
  if (!target) throw new Error(`tsx has no ${subpath} import entry`);
  return join(dir, target);
}

/** tsx's ESM and CommonJS hooks, resolved from the app's folder first, then from tsgi's own. */
function resolveTsx(appFile: string): { esm: string; cjs: string } | null {
  for (const from of [appFile, import.meta.url]) {
    try {
      const manifest = createRequire(from).resolve('tsx/package.json');
      const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
        exports: Record<string, unknown>;
      };
      const dir = dirname(manifest);
      return {
        esm: importEntry(dir, exports, './esm/api'),
        cjs: importEntry(dir, exports, './cjs/api'),
      };
    } catch {
      // Not installed there (or not a tsx we know): try the next place.
    }
  }
  return null;
}

/** Node's built-in type stripping: `process.features.typescript` is 'strip' or 'transform' when on. */
export function nodeStripsTypes(): boolean {
  const feature = (process.features as { typescript?: unknown }).typescript;
  return typeof feature === 'string' && feature !== '';
}

/** Makes .ts files importable (once per process); says which loader does it. */
export async function prepareTypeScript(appFile: string): Promise<TypeScriptLoader> {
  if (registered) return registered;
  const tsx = resolveTsx(appFile);
  if (tsx) {
    // Both hooks: an import() of a .cts, or of a .ts in a CommonJS package, goes through require.
    for (const api of [tsx.cjs, tsx.esm]) {
      const mod = (await import(pathToFileURL(api).href)) as Registrable;
      mod.register();
    }
    registered = 'tsx';
  } else if (nodeStripsTypes()) {
    // ESM .ts files in "type": "commonjs" packages load as modules, as under tsx.
    register(new URL('./esm-typescript-hooks.js', import.meta.url));
    registered = 'node';
  } else {
    throw gatewayError(
      'ERR_GATEWAY_APP_TYPESCRIPT',
      `${appFile}: Node ${process.version} cannot load TypeScript by itself; run \`npm i -D tsx\` in ${dirname(appFile)} (or use Node ≥ 22.18, which strips types)`,
    );
  }
  return registered;
}
