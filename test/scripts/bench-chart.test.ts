/** scripts/bench-chart.ts on a small fixture result file (test/scripts/fixtures/bench-result.json). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { escapeXml, formatRate, renderBenchChart } from '../../scripts/bench-chart.js';
import type { BenchResult } from '../bench/lib/result.js';

const FIXTURE = new URL('./fixtures/bench-result.json', import.meta.url);
const result = JSON.parse(readFileSync(FIXTURE, 'utf8')) as BenchResult;
const svg = renderBenchChart(result);

/** Every element closes, in order (the SVG is plain XML without comments or CDATA). */
function balanced(xml: string): boolean {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]!);
  }
  return stack.length === 0;
}

describe('scripts/bench-chart.ts', () => {
  it('draws an SVG document that is well formed', () => {
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.ok(balanced(svg));
    assert.ok(!balanced('<svg><g></svg>'), 'the check can fail');
  });

  it('has one bar per row that ran, scaled within its scenario', () => {
    const bars = [...svg.matchAll(/<rect x="300" y="\d+" width="(\d+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(bars, [300, 75, 150, 300]);
  });

  it('labels values, ratios, errors and rows that did not run; escapes names', () => {
    assert.match(svg, /20,000 req\/s/);
    assert.match(svg, /10,000 req\/s \(0\.50× nginx return 200\), 3 errors/);
    assert.match(svg, /nginx → uWSGI &lt;Python&gt; &amp; co/);
    assert.match(svg, /not run: skipped/);
    assert.match(svg, /45\.3 ops\/s/);
    assert.match(svg, /AMD EPYC × 2, node v20\.20\.2, nginx 1\.22\.1, 10 s × 3 rounds/);
  });

  it('cuts long notes in the label and keeps them whole in the tooltip', () => {
    const long = structuredClone(result);
    long.rows[3]!.note = 'x'.repeat(200);
    const out = renderBenchChart(long);
    assert.match(out, />not run: x{80,110}…<title>not run: x{200}<\/title>/);
  });

  it('marks tsgi rows apart from the baselines', () => {
    assert.equal(svg.match(/class="ours"/g)?.length, 2);
    assert.equal(svg.match(/class="other"/g)?.length, 2);
  });

  it('is deterministic, and refuses a file that is not a bench result', () => {
    assert.equal(renderBenchChart(structuredClone(result)), svg);
    assert.throws(
      () => renderBenchChart({ rows: [] } as unknown as BenchResult),
      /not a bench result/,
    );
  });

  it('formats rates and escapes XML', () => {
    assert.equal(formatRate(1234567.8), '1,234,568');
    assert.equal(formatRate(12.34), '12.3');
    assert.equal(escapeXml('a<b>&"c"'), 'a&lt;b&gt;&amp;&quot;c&quot;');
  });

  it('writes the file from the command line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-chart-'));
    try {
      const out = join(dir, 'chart.svg');
      const res = spawnSync(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', 'scripts/bench-chart.ts', FIXTURE.pathname, out],
        { encoding: 'utf8', timeout: 30_000 },
      );
      assert.equal(res.status, 0, res.stderr);
      assert.equal(readFileSync(out, 'utf8'), svg);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
