/**
 * The API reference (docs/api.md): every name each package entry point exports, its kind, and the
 * first paragraph of its doc comment, found by following the entry's re-exports to the
 * declaration. An export without a doc comment is listed with UNDOCUMENTED, which
 * test/docs/api-reference.test.ts refuses.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;

/** Entry points in package.json's order, with their source files. */
export const ENTRY_POINTS: ReadonlyArray<[entry: string, source: string]> = [
  ['tsgi', 'src/index.ts'],
  ['tsgi/cloudflare-workers', 'adapters/cloudflare-workers/index.ts'],
  ['tsgi/aws-lambda', 'adapters/aws-lambda/index.ts'],
  ['tsgi/hono', 'adapters/hono/index.ts'],
  ['tsgi/gateway', 'gateway/index.ts'],
];

export interface ApiEntry {
  name: string;
  kind: string;
  /** The first paragraph of the doc comment, on one line; null when there is none. */
  doc: string | null;
  /** Where it is declared, relative to the repository. */
  file: string;
}

const UNDOCUMENTED = 'UNDOCUMENTED';

function read(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

function resolveSpecifier(from: string, specifier: string): string {
  return relative(ROOT, join(dirname(join(ROOT, from)), specifier.replace(/\.js$/, '.ts')));
}

/** `/** … *\/` → its first paragraph as one line (tags and examples left out). */
export function firstParagraph(comment: string): string {
  const lines = comment
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, '').trimEnd());
  const out: string[] = [];
  for (const line of lines) {
    if (line.trim() === '' && out.length > 0) break;
    if (line.trim().startsWith('@')) break;
    if (line.trim() !== '') out.push(line.trim());
  }
  return out.join(' ').replace(/\|/g, '\\|');
}

/** Names an entry file exports: `export { a, b as c } from`, `export * as ns from`, declarations. */
export function exportedNames(
  source: string,
): Array<{ name: string; local: string; from: string | null }> {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const out: Array<{ name: string; local: string; from: string | null }> = [];
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s*(?:from\s*'([^']+)')?/g)) {
    for (const raw of m[1]!.split(',')) {
      const part = raw.trim().replace(/^type\s+/, '');
      if (part === '') continue;
      const [local, name = local] = part.split(/\s+as\s+/).map((s) => s.trim()) as [
        string,
        string?,
      ];
      out.push({ name, local, from: m[2] ?? null });
    }
  }
  for (const m of text.matchAll(/export\s+\*\s+as\s+(\w+)\s+from\s*'([^']+)'/g)) {
    out.push({ name: m[1]!, local: '*', from: m[2]! });
  }
  const decl =
    /^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum)\s+(\w+)/gm;
  for (const m of text.matchAll(decl)) out.push({ name: m[1]!, local: m[1]!, from: null });
  return out;
}

/** Finds the declaration of `name` in `file`, following re-exports and imports. */
function describe(file: string, name: string, depth = 0): ApiEntry {
  const text = read(file);
  if (name === '*') {
    const module = /\/\*\*([\s\S]*?)\*\//.exec(text)?.[0] ?? '';
    const doc = firstParagraph(module.replace(/@module\s+\S+\s*/, ''));
    return { name, kind: 'namespace', doc: doc || null, file };
  }
  const decl = new RegExp(
    `(/\\*\\*(?:(?!\\*/)[\\s\\S])*?\\*/)?\\s*export\\s+(?:declare\\s+)?(?:async\\s+)?(function\\*?|const|let|class|interface|type|enum)\\s+${name}\\b`,
  );
  const m = decl.exec(text);
  if (m) {
    const kind = m[2] === 'let' ? 'const' : m[2]!.replace('*', '');
    return { name, kind, doc: m[1] ? firstParagraph(m[1]) || null : null, file };
  }
  if (depth > 5) return { name, kind: '?', doc: null, file };
  const reexport = new RegExp(
    `export\\s+(?:type\\s+)?\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*'([^']+)'`,
  );
  const imported = new RegExp(
    `import\\s+(?:type\\s+)?\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*'([^']+)'`,
  );
  const next = reexport.exec(text) ?? imported.exec(text);
  if (next) return describe(resolveSpecifier(file, next[1]!), name, depth + 1);
  return { name, kind: '?', doc: null, file };
}

/** Every export of every entry point, sorted by name. */
export function apiEntries(): Array<{ entry: string; source: string; items: ApiEntry[] }> {
  return ENTRY_POINTS.map(([entry, source]) => {
    const seen = new Set<string>();
    const items: ApiEntry[] = [];
    for (const e of exportedNames(read(source))) {
      if (seen.has(e.name)) continue;
      seen.add(e.name);
      const found = e.from
        ? describe(resolveSpecifier(source, e.from), e.local)
        : describe(source, e.local);
      items.push({ ...found, name: e.name });
    }
    items.sort((a, b) => a.name.localeCompare(b.name, 'en'));
    return { entry, source, items };
  });
}

/** The generated part of docs/api.md. */
export function apiReference(): string {
  const out: string[] = [];
  for (const { entry, source, items } of apiEntries()) {
    out.push(
      `### \`${entry}\``,
      '',
      `From [${source}](../${source}); ${items.length} exports.`,
      '',
    );
    out.push('| export | kind | what it is |', '| --- | --- | --- |');
    for (const item of items) {
      out.push(`| \`${item.name}\` | ${item.kind} | ${item.doc ?? UNDOCUMENTED} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
