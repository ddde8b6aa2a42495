/**
 * Named generators for `<!-- BEGIN generated:NAME -->` blocks (scripts/doc-blocks.ts). Each one
 * renders from the code or from running it, so the docs say what the code does.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { OPTION_LIST, uwsgiMigrationRows } from '../gateway/config/index.js';
import type { MigrationRow } from '../gateway/config/migration.js';

const ROOT = new URL('..', import.meta.url).pathname;
const OPTIONS_MD = '../gateway/OPTIONS.md';

const code = (s: string): string => `\`${s}\``;
const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const link = (name: string): string => `[${code(name)}](${OPTIONS_MD}#${name})`;

function table(rows: readonly MigrationRow[], withTsgi: boolean): string[] {
  const head = withTsgi
    ? ['| uWSGI | tsgi | notes |', '|---|---|---|']
    : ['| uWSGI | what to do |', '|---|---|'];
  return [
    ...head,
    ...rows.map((r) => {
      const tsgi = r.tsgi === null ? '—' : link(r.tsgi);
      return withTsgi
        ? `| ${code(r.uwsgi)} | ${tsgi} | ${cell(r.note || 'same meaning')} |`
        : `| ${code(r.uwsgi)} | ${cell(r.note)} |`;
    }),
  ];
}

/** The uWSGI → tsgi option tables of docs/migrating-from-uwsgi.md. */
export function uwsgiOptionTables(): string {
  const rows = uwsgiMigrationRows();
  const byKind = (kind: MigrationRow['kind']) => rows.filter((r) => r.kind === kind);
  const planned = byKind('planned');
  const out = [
    `### Keys tsgi takes (${byKind('same').length})`,
    '',
    'Same name, same job; the notes say where the behaviour differs.',
    '',
    ...table(byKind('same'), true),
    '',
  ];
  if (planned.length > 0) {
    out.push(
      `### Keys tsgi knows but does not implement yet (${planned.length})`,
      '',
      'The loader refuses them with `ERR_CONFIG_OPTION_PLANNED` (never silently ignores them);',
      'remove them for now.',
      '',
      ...table(planned, true),
      '',
    );
  }
  out.push(
    `### Python-only keys (${byKind('python-only').length})`,
    '',
    'Refused with `ERR_CONFIG_PYTHON_ONLY` and this advice.',
    '',
    ...table(byKind('python-only'), true),
    '',
    `### Other uWSGI keys tsgi does not take (${byKind('unsupported').length})`,
    '',
    'Refused with `ERR_CONFIG_NOT_SUPPORTED` and this advice. Any other key is refused with',
    '`ERR_CONFIG_UNKNOWN_OPTION` and the nearest known name.',
    '',
    ...table(byKind('unsupported'), false),
    '',
    '### New in tsgi (no uWSGI equivalent)',
    '',
    '| tsgi | what it does |',
    '|---|---|',
    ...OPTION_LIST.filter((e) => e.spec.uwsgi === null).map(
      (e) => `| ${link(e.name)} | ${cell(e.spec.summary)} |`,
    ),
  );
  return out.join('\n');
}

/** What `tsgi --ini uwsgi.ini` prints for the worked example (run for real). */
export function uwsgiIniExplained(): string {
  const args = ['--ini', 'uwsgi.ini'];
  const res = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(ROOT, 'gateway/cli.ts'), ...args],
    { cwd: join(ROOT, 'docs/migration'), encoding: 'utf8', env: cleanEnv(), timeout: 30_000 },
  );
  const output = `${res.stdout}${res.stderr}`.trimEnd();
  return [
    '```text output',
    `$ tsgi ${args.join(' ')}`,
    output,
    `$ echo $?`,
    String(res.status),
    '```',
  ].join('\n');
}

/** The environment without TSGI_* variables, so a developer's shell does not change the output. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TSGI_')));
}

export const GENERATORS: Readonly<Record<string, () => string | Promise<string>>> = {
  'uwsgi-options': uwsgiOptionTables,
  'uwsgi-ini-explained': uwsgiIniExplained,
};
