/** gateway/OPTIONS.md, rendered from the table (scripts/gen-options.ts writes it; a test checks it). */
import { RESERVED_ENV_PREFIXES } from './env-parse.js';
import { formatDefault } from './format-value.js';
import { uwsgiMigrationRows } from './migration.js';
import { type OptionSpec, SECTIONS } from './option-types.js';
import { OPTION_LIST, type OptionEntry } from './options.js';
import { BUILT_IN_UWSGI_KEYS, PYTHON_ONLY_KEYS, UNSUPPORTED_UWSGI_KEYS } from './uwsgi-keys.js';

export const OPTIONS_MD_PATH = 'gateway/OPTIONS.md';
export const REGENERATE_COMMAND = 'npm run gen:options';

function typeText(spec: OptionSpec<unknown>): string {
  switch (spec.kind) {
    case 'string':
      return 'text';
    case 'int':
      return 'whole number';
    case 'seconds':
      return 'seconds (decimals allowed)';
    case 'bytes':
      return 'bytes (suffix k, m or g = ×1024)';
    case 'megabytes':
      return 'megabytes (whole number)';
    case 'boolean':
      return 'boolean (true/false, yes/no, on/off, 1/0; alone = true)';
    case 'list':
      return `repeatable ${spec.meta}`;
    case 'enum':
      return `one of ${spec.choices?.map((c) => `\`${c}\``).join(', ')}`;
    case 'mode':
      return 'octal mode, 3 digits (alone = 666)';
  }
}

/** Compact type for the summary table. */
function shortType(spec: OptionSpec<unknown>): string {
  if (spec.kind === 'list') return `${spec.meta} …`;
  if (spec.kind === 'enum') return spec.meta;
  if (spec.kind === 'megabytes') return 'MB';
  return spec.kind;
}

const code = (s: string): string => `\`${s}\``;
const cell = (s: string): string => s.replace(/\|/g, '\\|');

function flagText({ name, spec }: OptionEntry): string {
  const long =
    spec.kind === 'boolean'
      ? `--${name}`
      : spec.bareValue !== undefined
        ? `--${name}[=${spec.meta}]`
        : `--${name} ${spec.meta}`;
  const flags = [code(long)];
  if (spec.kind === 'boolean' && spec.reload !== 'none') flags.push(code(`--no-${name}`));
  if (spec.short) flags.push(code(`-${spec.short}`));
  for (const alias of spec.aliases ?? []) flags.push(code(`--${alias}`));
  return flags.join(', ');
}

const RELOAD_TEXT = {
  hup: 'SIGHUP applies it (new workers use it)',
  restart: 'needs a restart',
  none: 'not applicable (one-shot action)',
} as const;

function optionBlock(entry: OptionEntry): string[] {
  const { name, env, spec } = entry;
  const fileKey = spec.sources.includes('file') ? code(name) : 'command line only';
  const envText = spec.sources.includes('env') ? code(env) : '—';
  const uwsgi =
    spec.uwsgi === null
      ? `none${spec.uwsgiNote ? `: ${spec.uwsgiNote}` : ''}`
      : `${spec.uwsgi.split(', ').map(code).join(', ')}${spec.uwsgiNote ? ` — ${spec.uwsgiNote}` : ''}`;
  const rows: [string, string][] = [
    ['flag', flagText(entry)],
    ['file key', fileKey],
    ['env', envText],
    ['type', typeText(spec)],
    ['default', code(formatDefault(spec))],
    ['uWSGI', uwsgi],
    ['reload', RELOAD_TEXT[spec.reload]],
    ...(spec.impliesMaster
      ? [['master', 'a value other than the default starts the master'] as [string, string]]
      : []),
    [
      'status',
      spec.status === 'planned' ? '**planned**: known, but rejected until implemented' : 'ready',
    ],
  ];
  return [
    `### ${name}`,
    '',
    spec.summary,
    ...(spec.description ? ['', spec.description] : []),
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`),
    '',
  ];
}

const HEADER = [
  '# Gateway options',
  '',
  `<!-- Generated from gateway/config/options.ts by scripts/gen-options.ts: do not edit by hand. Change the table, then run \`${REGENERATE_COMMAND}\`. A test fails when this file is stale. -->`,
  '',
  'Every option has one name: the command-line flag (`--max-requests`), the key in INI and JSON',
  'config files (`max-requests`) and, upper-cased with `_`, the environment variable',
  "(`TSGI_MAX_REQUESTS`). The names are uWSGI's, so an existing `uwsgi.ini` mostly loads as it is.",
  '',
  '## Where values come from',
  '',
  'Lowest precedence first; a later source replaces the value of an earlier one:',
  '',
  '1. the defaults below;',
  '2. config files, `--ini FILE[:section]` and `--json FILE[:key]`, in the order given (an `ini =` or',
  '   `json =` line inside a file loads that file at that point);',
  '3. environment variables `TSGI_<NAME>`;',
  '4. command-line flags.',
  '',
  'Within one source, an option that takes one value keeps the last one, and a repeatable option',
  "(socket, touch-reload, ...) collects every value. A higher source replaces a repeatable option's",
  'whole list. `tsgi --print-config` shows each value and the source that set it.',
  '',
  'Every value goes through the same parser whatever its source, and every error names the option',
  'and where it was set. Unknown names are errors that suggest the nearest known name (uWSGI',
  'silently took them as placeholders). Options marked **planned** are known but rejected until',
  'they are implemented, so that no setting is silently ignored.',
  '',
  '## Config files',
  '',
  "INI, with uWSGI's rules:",
  '',
  '- the section is `[tsgi]` if the file has one, else `[uwsgi]`; `--ini file.ini:name` picks',
  '  another; a missing section is an error;',
  '- `key = value`: the value is everything after the first `=`, trimmed; a bare `key` (or',
  '  `key =`) means true for a boolean, `666` for chmod-socket, and is an error elsewhere;',
  '- `#` and `;` start a comment only at the start of a line: `harakiri = 30 ; note` is an invalid',
  '  value, not 30 with a comment;',
  '- repeating a key adds to a repeatable option and replaces any other (last wins);',
  '- booleans: true/false, yes/no, on/off, 1/0 (any other word is an error);',
  '- `%(name)` is the value of the first occurrence of `name` in the config files; an unknown',
  '  `%(name)` stays as written (log-format uses `%(uri)` and friends); `set-placeholder = name=value`',
  '  (or `set-ph`) defines a placeholder that is not an option;',
  '- magic variables, fixed per file: `%d` directory of the file (with trailing `/`), `%p` absolute',
  "  path, `%s` file name, `%n` name without extension, `%e` extension, `%c` name of the file's",
  '  directory, `%o` path as given, `%x` section (when named), `%v` working directory, `%k` CPU',
  '  cores, `%h` hostname, `%%` a literal `%`;',
  '- `$(NAME)` is the environment variable NAME; an unset variable is an error;',
  '- relative paths of `ini =`/`json =` lines are relative to the working directory, as in uWSGI',
  "  (use `%d` for the file's own directory).",
  '',
  'JSON: an object of options under `"tsgi"`, else `"uwsgi"`, else at the top level (or under the',
  'key named with `--json file.json:key`). Values are strings, numbers or booleans; an array',
  'repeats a repeatable option. Magic variables, `$(NAME)` and `%(name)` work as in INI.',
  '',
  'A command-line argument ending in `.ini` or `.json` (optionally `:section`) is loaded as a',
  'config file, as `uwsgi file.ini` does.',
  '',
  '## Environment variables',
  '',
  '`TSGI_<NAME>` sets option `<name>` (`-` becomes `_`). A repeatable option takes several values',
  'separated by whitespace (`TSGI_SOCKET="/run/app.sock 127.0.0.1:3031"`). An empty variable counts',
  `as unset. Names starting with ${RESERVED_ENV_PREFIXES.map(code).join(', ')} are reserved for`,
  'tooling and internal use and are never read as options. Actions (`--help`, `--stop`, ...) and',
  "`ini`/`json` cannot be set from the environment. uWSGI's `UWSGI_*` variables are not read:",
  'rename them to `TSGI_*`.',
  '',
  '## Command line',
  '',
  '`tsgi [options] APP`. Booleans take `--flag`, `--no-flag` or `--flag=VALUE`; repeatable options',
  "are given once per value. `--chmod-socket` alone means 666. uWSGI's short flags work (`-s`,",
  '`-p`, `-M`, `-t`, `-b`, `-L`, `-R`, `-d`, ...).',
  '',
  '## Reload behaviour',
  '',
  'Each option says whether a changed value takes effect on SIGHUP (a graceful, rolling reload that',
  're-reads the configuration and starts new workers with it) or needs a full restart (sockets,',
  'identity, the master itself).',
  '',
];

function keyTable(title: string, intro: string, keys: Readonly<Record<string, string>>): string[] {
  return [
    `## ${title}`,
    '',
    intro,
    '',
    '| uWSGI key | what to do |',
    '|---|---|',
    ...Object.entries(keys)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `| ${code(k)} | ${cell(v)} |`),
    '',
  ];
}

export function renderOptionsMarkdown(): string {
  const out = [...HEADER, '## Options', ''];
  out.push('| option | short | type | default | status |', '|---|---|---|---|---|');
  for (const { name, spec } of OPTION_LIST) {
    const short = spec.short ? code(`-${spec.short}`) : '';
    out.push(
      `| [${name}](#${name}) | ${short} | ${cell(shortType(spec))} | ${code(formatDefault(spec))} | ${spec.status} |`,
    );
  }
  out.push('');
  for (const section of SECTIONS) {
    const entries = OPTION_LIST.filter((e) => e.spec.section === section);
    if (entries.length === 0) continue;
    out.push(`## ${section}`, '');
    for (const entry of entries) out.push(...optionBlock(entry));
  }
  out.push(
    ...keyTable(
      'Python-only uWSGI keys',
      "These keys belong to uWSGI's Python plugin. tsgi ignores them with one `ERR_CONFIG_PYTHON_ONLY` warning each (an error under `strict`) that says what to use instead; usually only the app line changes: `module = app:application` becomes `app = app.ts:application`. `py-autoreload` is read as `autoreload`.",
      PYTHON_ONLY_KEYS,
    ),
    ...keyTable(
      'uWSGI keys whose job tsgi always does',
      'Ignored with an `ERR_CONFIG_BUILT_IN` warning (an error under `strict`) and this advice.',
      BUILT_IN_UWSGI_KEYS,
    ),
    ...keyTable(
      'Other uWSGI keys tsgi does not take',
      'Refused with `ERR_CONFIG_NOT_SUPPORTED` and this advice.',
      UNSUPPORTED_UWSGI_KEYS,
    ),
    '## uWSGI → tsgi',
    '',
    '| uWSGI | tsgi | notes |',
    '|---|---|---|',
    ...uwsgiMigrationRows().map((r) => {
      const tsgi =
        r.tsgi === null ? '—' : code(r.tsgi) + (r.kind === 'planned' ? ' (planned)' : '');
      return `| ${code(r.uwsgi)} | ${tsgi} | ${cell(r.note)} |`;
    }),
    '',
  );
  return out.join('\n');
}
