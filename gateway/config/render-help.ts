/** `tsgi --help`: usage, then every command-line option by section, from the table. */
import { SECTIONS } from './option-types.js';
import { OPTION_LIST, type OptionEntry } from './options.js';

const WIDTH = 100;
const LEFT = 34;

function flagColumn({ name, spec }: OptionEntry): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  if (spec.kind === 'boolean') return `${short}--${spec.reload === 'none' ? '' : '[no-]'}${name}`;
  if (spec.bareValue !== undefined) return `${short}--${name}[=${spec.meta}]`;
  return `${short}--${name} ${spec.meta}`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function optionLines(entry: OptionEntry): string[] {
  const flag = `  ${flagColumn(entry)}`;
  const tags = [
    entry.spec.aliases?.length
      ? `alias: ${entry.spec.aliases.map((a) => `--${a}`).join(', ')}`
      : '',
    entry.spec.status === 'planned' ? 'planned: rejected for now' : '',
  ].filter(Boolean);
  const text = tags.length ? `${entry.spec.summary} [${tags.join('; ')}]` : entry.spec.summary;
  const body = wrap(text, WIDTH - LEFT);
  const first =
    flag.length < LEFT ? flag.padEnd(LEFT) + body[0] : `${flag}\n${' '.repeat(LEFT)}${body[0]}`;
  return [first, ...body.slice(1).map((l) => ' '.repeat(LEFT) + l)];
}

export function renderHelp(): string {
  const out = [
    'Usage: tsgi [options] APP',
    '       tsgi --ini uwsgi.ini',
    '',
    'Serve a TSGI app to nginx (uwsgi protocol) or over HTTP/1.1.',
    'APP is path/to/module[:export] (.js, .mjs or .ts; the export defaults to `default`).',
  ];
  for (const section of SECTIONS) {
    const entries = OPTION_LIST.filter(
      (e) => e.spec.section === section && e.spec.sources.includes('cli'),
    );
    if (entries.length === 0) continue;
    out.push('', `${section}:`);
    for (const entry of entries) out.push(...optionLines(entry));
  }
  out.push(
    '',
    'Every option can also be set in a config file (--ini, --json; the key is the flag without',
    '--) and as an environment variable TSGI_<NAME> (TSGI_MAX_REQUESTS for --max-requests).',
    'Precedence, lowest first: defaults < config files < TSGI_* variables < flags.',
    'Reference: gateway/OPTIONS.md.',
    '',
  );
  return out.join('\n');
}
