/**
 * An SVG bar chart of a `npm run bench` result file (bench-results/latest.json, schema
 * tsgi-bench/1): one group per scenario, one bar per row (req/s, scaled within the scenario,
 * since scenarios measure different things), the ratio to the row's baseline after the value.
 * Deterministic: the same file gives the same bytes. No dependencies.
 *
 *   node --conditions=source --import tsx scripts/bench-chart.ts [result.json] [out.svg]
 *   (defaults: bench-results/latest.json → docs/performance.svg)
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchResult, checkResultShape } from '../test/bench/lib/result.js';

const WIDTH = 1000;
const LABEL_W = 300;
const BAR_MAX = 300;
const ROW_H = 22;
const GROUP_GAP = 14;
const TOP = 58;
/** Average glyph width of 12 px sans-serif, to cut labels before the right edge. */
const CHAR_W = 6.6;

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** 12345.6 → "12,346"; small figures keep one decimal. */
export function formatRate(rps: number): string {
  const digits = rps < 100 ? 1 : 0;
  const [int, frac] = rps.toFixed(digits).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}

type Row = BenchResult['rows'][number];

/** Rows that measure tsgi code (the gateway, the bridges, the adapters), drawn in blue. */
function isOurs(row: Row): boolean {
  return /tsgi|toFetch|toWorker|fromHono|toHono/.test(row.name);
}

/** Long notes are cut (the bar's tooltip has the full text). */
function clip(text: string, max = 85): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function rowText(row: Row): string {
  if (row.rps === null || !Number.isFinite(row.rps))
    return `not run${row.note ? `: ${row.note}` : ''}`;
  const unit = row.tool === 'tinybench' ? 'ops/s' : 'req/s';
  let text = `${formatRate(row.rps)} ${unit}`;
  if (row.baseline !== null && row.ratio !== null) {
    text += ` (${row.ratio.toFixed(2)}× ${row.baseline})`;
  }
  if (row.errors > 0) text += `, ${row.errors} errors`;
  return text;
}

export function renderBenchChart(result: BenchResult): string {
  const problems = checkResultShape(result);
  if (problems.length > 0) throw new Error(`not a bench result: ${problems.join('; ')}`);
  const scenarios: string[] = [];
  for (const row of result.rows)
    if (!scenarios.includes(row.scenario)) scenarios.push(row.scenario);
  const body: string[] = [];
  let y = TOP;
  for (const scenario of scenarios) {
    const rows = result.rows.filter((r) => r.scenario === scenario);
    const max = Math.max(1, ...rows.map((r) => (Number.isFinite(r.rps) ? r.rps : 0)));
    body.push(`<text x="10" y="${y + 14}" class="scenario">${escapeXml(scenario)}</text>`);
    y += ROW_H;
    for (const row of rows) {
      const run = row.rps !== null && Number.isFinite(row.rps);
      const w = run ? Math.max(1, Math.round((row.rps / max) * BAR_MAX)) : 0;
      const cls = isOurs(row) ? 'ours' : 'other';
      body.push(
        `<text x="${LABEL_W - 8}" y="${y + 15}" class="label">${escapeXml(row.name)}</text>`,
      );
      if (run) {
        body.push(
          `<rect x="${LABEL_W}" y="${y + 3}" width="${w}" height="${ROW_H - 6}" class="${cls}"><title>${escapeXml(`${row.name}: ${rowText(row)}`)}</title></rect>`,
        );
      }
      body.push(
        `<text x="${LABEL_W + w + 6}" y="${y + 15}" class="value">${escapeXml(clip(rowText(row), Math.floor((WIDTH - LABEL_W - w - 14) / CHAR_W)))}<title>${escapeXml(rowText(row))}</title></text>`,
      );
      y += ROW_H;
    }
    y += GROUP_GAP;
  }
  const m = result.machine;
  const subtitle = [
    result.startedAt.slice(0, 16).replace('T', ' '),
    `${m.cpuModel} × ${m.cores}`,
    `node ${m.node}`,
    m.nginx ? `nginx ${m.nginx}` : null,
    `${result.options.durationS ?? '?'} s × ${result.options.rounds ?? '?'} rounds`,
  ]
    .filter(Boolean)
    .join(', ');
  const height = y + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12" role="img">`,
    `<title>npm run bench: requests per second, ${escapeXml(subtitle)}</title>`,
    '<style>.title{font-size:16px;font-weight:bold}.sub{fill:#555}.scenario{font-weight:bold}.label{text-anchor:end}.value{fill:#333}.ours{fill:#2b6cb0}.other{fill:#a0aec0}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    '<text x="10" y="22" class="title">npm run bench: requests per second (longer is better)</text>',
    `<text x="10" y="40" class="sub">${escapeXml(subtitle)}; bars scaled within each scenario; blue: tsgi</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function main(argv: string[]): void {
  const root = new URL('..', import.meta.url).pathname;
  const input = argv[0] ?? `${root}bench-results/latest.json`;
  const output = argv[1] ?? `${root}docs/performance.svg`;
  const result = JSON.parse(readFileSync(input, 'utf8')) as BenchResult;
  writeFileSync(output, renderBenchChart(result));
  console.log(`wrote ${output} from ${input}`);
}

if (realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2));
}
