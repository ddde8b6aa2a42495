/**
 * The fenced code blocks of the docs and how each one is tested. A block's info string says it:
 *
 *   ```ts test              run with tsx from .tmp/doc-samples/ (imports of 'tsgi' resolve); exit 0
 *   ```sh test              run by bash -e in a temp dir, `tsgi` on PATH, $REPO = the repo; exit 0
 *   ```ini file=deploy/x    the content of that file (a generated include), which a test uses
 *   ```text output          output of a real run, inside a generated block (kept current)
 *   ```sh illustrative      commands for a real server: not run, but every npm script, repo path
 *                           and tsgi flag in it must exist
 *
 * test/docs/samples.test.ts applies this to every page; on STRICT_PAGES a block without one of
 * these tags is an error.
 */

export const STRICT_PAGES = [
  'docs/index.md',
  'docs/app-loading.md',
  'docs/api.md',
  'docs/middleware.md',
  'docs/platforms.md',
  'docs/configuration.md',
  'docs/logging.md',
  'docs/stats.md',
  'docs/troubleshooting.md',
  'docs/migrating-from-uwsgi.md',
  'deploy/README.md',
];

export type SampleKind = 'test' | 'file' | 'output' | 'illustrative' | 'untagged';

export interface Sample {
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  kind: SampleKind;
  /** For `file=`: the path. */
  file?: string;
  code: string;
  /** Inside a `<!-- BEGIN generated:` or `include:` block. */
  generated: boolean;
}

export function classify(info: string): { lang: string; kind: SampleKind; file?: string } {
  const [lang = '', ...words] = info.trim().split(/\s+/);
  const file = words.find((w) => w.startsWith('file='))?.slice(5);
  if (file) return { lang, kind: 'file', file };
  for (const kind of ['test', 'output', 'illustrative'] as const) {
    if (words.includes(kind)) return { lang, kind };
  }
  return { lang, kind: 'untagged' };
}

export function extractSamples(page: string, text: string): Sample[] {
  const lines = text.split('\n');
  const out: Sample[] = [];
  let generated = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^<!-- BEGIN (generated|include):/.test(line)) generated = true;
    if (/^<!-- END (generated|include):/.test(line)) generated = false;
    const open = /^```(.*)$/.exec(line);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`${page}:${start + 1}: fence not closed`);
    out.push({
      page,
      line: start + 1,
      ...classify(open[1]!),
      code: `${body.join('\n')}\n`,
      generated,
    });
  }
  return out;
}

/** What an illustrative block refers to: npm scripts, repo paths, tsgi flags. */
export function references(code: string): {
  npmScripts: string[];
  paths: string[];
  flags: string[];
} {
  const npmScripts: string[] = [];
  const paths: string[] = [];
  const flags: string[] = [];
  for (const raw of code.split('\n')) {
    const line = raw.replace(/#.*$/, '');
    for (const m of line.matchAll(/\bnpm (?:run (\S+)|(start|test)\b)/g))
      npmScripts.push(m[1] ?? m[2]!);
    for (const m of line.matchAll(
      /(?:^|[\s=])((?:deploy|scripts|examples|docs|gateway)\/[\w@.\-/]+)/g,
    )) {
      paths.push(m[1]!);
    }
    const tsgi = /(?:^|[\s;&|])tsgi (.*)$/.exec(line);
    if (tsgi) for (const m of tsgi[1]!.matchAll(/(?:^|\s)--([a-z][a-z0-9-]*)/g)) flags.push(m[1]!);
  }
  return { npmScripts, paths, flags };
}
