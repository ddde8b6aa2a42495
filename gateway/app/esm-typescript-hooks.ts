/**
 * Module hooks for Node's own type stripping, registered only when tsx is absent. A .ts file in a
 * package whose package.json says "type": "commonjs" (what `npm init -y` writes) is CommonJS to
 * Node, so `export default app` there is a syntax error; tsx compiles such a file either way. This
 * hook does the same for Node: a .ts file written with import/export loads as an ES module.
 * A CommonJS .ts file (`module.exports`, only `import type` lines) is left as it is.
 */
import { readFile } from 'node:fs/promises';

const ESM_SYNTAX = /^\s*(?:export\s|import\s+(?!type\b)[\w{*'"])/m;

interface LoadResult {
  format?: string | null;
  source?: string | Uint8Array | null;
  shortCircuit?: boolean;
}

type NextLoad = (url: string, context: unknown) => Promise<LoadResult>;

/** The default loader gives CommonJS no source (the CommonJS loader reads it), or bytes, or text. */
function text(source: LoadResult['source']): string | null {
  if (typeof source === 'string') return source;
  return source ? new TextDecoder().decode(source) : null;
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  // .cts is CommonJS by its name; only .ts takes its module system from package.json.
  if (result.format !== 'commonjs-typescript' || !new URL(url).pathname.endsWith('.ts'))
    return result;
  const source = text(result.source) ?? (await readFile(new URL(url), 'utf8'));
  if (!ESM_SYNTAX.test(source)) return result;
  return { format: 'module-typescript', source, shortCircuit: true };
}
