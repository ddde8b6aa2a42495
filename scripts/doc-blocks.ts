/**
 * Generated blocks inside hand-written docs. A page keeps its prose; the parts that must not drift
 * from the code sit between markers and are rewritten by scripts/gen-doc-blocks.ts:
 *
 *   <!-- BEGIN include:deploy/tsgi.ini -->      the file, as a fenced block tagged `file=PATH`
 *   <!-- END include:deploy/tsgi.ini -->
 *   <!-- BEGIN generated:uwsgi-options -->      the output of a named generator (GENERATORS)
 *   <!-- END generated:uwsgi-options -->
 *
 * test/docs/doc-blocks.test.ts fails when a block is stale.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { GENERATORS } from './doc-generators.js';

export const ROOT = new URL('..', import.meta.url).pathname;

/** The pages whose blocks are generated: every docs/*.md and deploy/README.md. */
export function pagesWithBlocks(root = ROOT): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => `docs/${n}`);
  return [...docs, 'deploy/README.md']
    .filter((p) => existsSync(join(root, p)))
    .filter((p) => readFileSync(join(root, p), 'utf8').includes('<!-- BEGIN '))
    .sort();
}

const LANG_BY_EXT: Readonly<Record<string, string>> = {
  '.ini': 'ini',
  '.service': 'ini',
  '.conf': 'nginx',
  '.json': 'json',
  '.ts': 'ts',
  '.sh': 'sh',
  '.txt': 'text',
  '.prom': 'text',
};

/** The fence language of an included file (logrotate rules and the like have no extension). */
export function languageOf(path: string): string {
  return LANG_BY_EXT[extname(path)] ?? 'text';
}

function fence(lang: string, info: string, body: string): string {
  const text = body.endsWith('\n') ? body : `${body}\n`;
  return `\`\`\`${lang} ${info}\n${text}\`\`\``;
}

/** What goes between the markers of one block. */
export async function renderBlock(kind: string, name: string, root = ROOT): Promise<string> {
  if (kind === 'include') {
    return fence(languageOf(name), `file=${name}`, readFileSync(join(root, name), 'utf8'));
  }
  const generator = GENERATORS[name];
  if (!generator) throw new Error(`no generator named ${name} (scripts/doc-generators.ts)`);
  return (await generator()).replace(/\n+$/, '');
}

const BLOCK_RE = /(<!-- BEGIN (include|generated):(\S+) -->\n)([\s\S]*?)(<!-- END \2:\3 -->)/g;

export interface Block {
  kind: string;
  name: string;
  current: string;
}

export function findBlocks(text: string): Block[] {
  return [...text.matchAll(BLOCK_RE)].map((m) => ({
    kind: m[2]!,
    name: m[3]!,
    current: m[4]!.replace(/\n$/, ''),
  }));
}

/** The page with every block rewritten. */
export async function renderPage(text: string, root = ROOT): Promise<string> {
  const begins = text.match(/<!-- BEGIN /g)?.length ?? 0;
  const blocks = findBlocks(text);
  if (begins !== blocks.length) throw new Error('a BEGIN marker has no matching END marker');
  const bodies: string[] = [];
  for (const { kind, name } of blocks) bodies.push(await renderBlock(kind, name, root));
  let i = 0;
  return text.replace(BLOCK_RE, (_m, begin: string, _k, _n, _old, end: string) => {
    return `${begin}${bodies[i++]}\n${end}`;
  });
}
