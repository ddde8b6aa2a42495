/** The one printed table (also pasted into docs/performance.md: it is valid Markdown). */
import { loadCell } from './load.js';
import type { BenchRow } from './types.js';

function num(n: number | null, digits = 0): string {
  if (n === null || !Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function ms(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '–';
  return n < 10 ? n.toFixed(2) : n.toFixed(1);
}

export function formatTable(rows: readonly BenchRow[]): string {
  const head = [
    'scenario',
    'target',
    'tool',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'ratio',
    'server CPU µs/req',
    'vs',
    'load 1m',
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.name + (r.note ? ` (${r.note.length > 60 ? `${r.note.slice(0, 57)}...` : r.note})` : ''),
    r.tool,
    num(r.rps),
    ms(r.p50Ms),
    ms(r.p99Ms),
    String(r.errors),
    r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`,
    num(r.serverCpuUsPerReq ?? null),
    r.baseline ?? (r.ratio === 1 ? 'baseline' : ''),
    loadCell(r),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const right = new Set([3, 4, 5, 6, 7, 8]);
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}
