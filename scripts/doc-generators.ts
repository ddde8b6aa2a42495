/**
 * Named generators for `<!-- BEGIN generated:NAME -->` blocks (scripts/doc-blocks.ts). Each one
 * renders from the code or from running it, so the docs say what the code does.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { OPTION_LIST, uwsgiMigrationRows } from '../gateway/config/index.js';
import type { MigrationRow } from '../gateway/config/migration.js';
import { GATEWAY_ERRORS } from '../gateway/errors.js';
import { LIMITS, type LimitSpec } from '../gateway/limits.js';
import { apiReference } from './api-reference.js';
import { findErrorTables } from './error-tables.js';

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
    'Ignored with an `ERR_CONFIG_PYTHON_ONLY` warning and this advice (an error under `strict`).',
    '',
    ...table(byKind('python-only'), true),
    '',
    `### uWSGI keys whose job tsgi always does (${byKind('built-in').length})`,
    '',
    'Ignored with an `ERR_CONFIG_BUILT_IN` warning and this advice (an error under `strict`).',
    '',
    ...table(byKind('built-in'), false),
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

const STATUS_MEANING: Readonly<Record<string, string>> = {
  '400': 'the request (or the uwsgi packet nginx sent) is malformed',
  '401': 'not authenticated',
  '408': 'the peer was too slow (socket-timeout)',
  '413': 'the body is over a limit (limit-post; CloudFront cut it)',
  '431': 'the headers are over a limit (buffer-size, max-vars)',
  '500': 'the app or its response broke a rule; the log line says which',
  '501': 'the platform sent an event the adapter does not serve yet',
  '502': 'an upstream answered wrongly',
  '503': 'no capacity',
  '504': 'a deadline passed (harakiri)',
  '—': 'no status of its own: a log line, a start-up failure, or a response already under way',
};

/** Every error code, grouped by the HTTP status a client sees (docs/troubleshooting.md). */
export async function errorsByStatus(): Promise<string> {
  const byStatus = new Map<string, string[]>();
  for (const { table } of await findErrorTables()) {
    for (const [code, spec] of Object.entries(table)) {
      const status = spec.status === undefined ? '—' : String(spec.status);
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
  }
  const order = [...byStatus.keys()].sort((a, b) =>
    a === '—' ? 1 : b === '—' ? -1 : a.localeCompare(b),
  );
  return [
    '| client sees | meaning | codes |',
    '|---|---|---|',
    ...order.map(
      (s) =>
        `| ${s} | ${STATUS_MEANING[s] ?? ''} | ${byStatus.get(s)!.sort().map(code).join(', ')} |`,
    ),
  ].join('\n');
}

/** docs/limits.md's table: every limit of gateway/limits.ts, its option, error, status and paths. */
export function limitsTable(): string {
  const errors = GATEWAY_ERRORS as Record<string, { status?: number }>;
  const rows = Object.values(LIMITS as Record<string, LimitSpec>).map((l) => {
    const status = errors[l.code]?.status ?? '—';
    return `| ${link(l.option)} | ${cell(l.bounds)} | ${code(l.code)} | ${status} | ${cell(l.answer)} | ${l.paths.join(', ')} |`;
  });
  return [
    '| option | bounds | error | status | the client gets | paths |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export const GENERATORS: Readonly<Record<string, () => string | Promise<string>>> = {
  limits: limitsTable,
  'api-reference': apiReference,
  'uwsgi-options': uwsgiOptionTables,
  'uwsgi-ini-explained': uwsgiIniExplained,
  'errors-by-status': errorsByStatus,
};
