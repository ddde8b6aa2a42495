/**
 * The bench harness's pure parts: statistics, round order, wrk parsing, autocannon conversion,
 * row building, result shape, arguments, the nginx config. No load, no timing assertions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesFilter, parseBenchArgs } from './lib/args.js';
import { fromAutocannon } from './lib/autocannon.js';
import { pm2Ecosystem } from './lib/backends.js';
import { refChanges, refName, resolveRef, withRefTargets } from './lib/baseline-ref.js';
import { compareRows } from './lib/compare.js';
import { inclusiveTimes, topFunctions, topGroups, withoutStartup } from './lib/cpuprofile.js';
import { normalizeRows } from './lib/external.js';
import {
  isNoisy,
  loadCell,
  NOISY_LOAD,
  scenarioLoad,
  settleSeconds,
  withLoad,
} from './lib/load.js';
import { nginxConfig } from './lib/nginx.js';
import { parseProcStat } from './lib/processes.js';
import { checkResultShape, RESULT_SCHEMA } from './lib/result.js';
import { pickTool, rowsFor } from './lib/runner.js';
import type { Target } from './lib/scenario.js';
import { median, medianOrNull, pairedRatio, percentile, roundOrder } from './lib/stats.js';
import { formatTable } from './lib/table.js';
import type { BenchRow, LoadResult } from './lib/types.js';
import { parseWrk, parseWrkTime } from './lib/wrk.js';
import { SCENARIOS } from './scenarios/index.js';

const WRK_OUTPUT = `Running 1s test @ http://127.0.0.1:18999/
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.72ms    7.79ms  64.52ms   94.00%
    Req/Sec     8.25k     5.06k   18.73k    68.18%
  Latency Distribution
     50%  443.00us
     75%    1.18ms
     90%    5.69ms
     99%   49.29ms
  18096 requests in 1.10s, 2.14MB read
Requests/sec:  16411.66
Transfer/sec:      1.94MB
`;

const WRK_WITH_ERRORS = `Running 10s test @ http://127.0.0.1:8090/
  2 threads and 100 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.36ms    1.00ms  30.00ms   80.00%
    Req/Sec    13.20k   500.00    14.5k    70.00%
  Latency Distribution
     50%    1.36ms
     75%    1.50ms
     90%    2.00ms
     99%    1.20s
  251164 requests in 10.00s, 30.00MB read
  Socket errors: connect 2, read 251155, write 3, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:  25116.40
Transfer/sec:      3.00MB
`;

const result = (rps: number, p50 = 1, p99 = 2, errors = 0): LoadResult => ({
  rps,
  p50Ms: p50,
  p99Ms: p99,
  errors,
  requests: rps,
  durationS: 1,
});

describe('stats', () => {
  it('median of odd, even, unsorted and empty lists', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([10]), 10);
    assert.ok(Number.isNaN(median([])));
  });
  it('medianOrNull drops nulls and NaN', () => {
    assert.equal(medianOrNull([null, 5, Number.NaN, 7]), 6);
    assert.equal(medianOrNull([null]), null);
  });
  it('percentile is nearest-rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(xs, 50), 50);
    assert.equal(percentile(xs, 99), 99);
    assert.equal(percentile(xs, 100), 100);
    assert.equal(percentile([7], 99), 7);
  });
  it('pairedRatio is the median of per-round ratios', () => {
    assert.equal(pairedRatio([10, 20, 30], [10, 10, 10]), 2);
    // Drift that a ratio of medians would keep cancels out pair by pair.
    assert.equal(pairedRatio([9, 18, 27], [10, 20, 30]), 0.9);
    assert.equal(pairedRatio([1, 2], [0, Number.NaN]), null);
    assert.equal(pairedRatio([1, 3], [1]), 1);
  });
  it('roundOrder alternates forward and reverse', () => {
    assert.deepEqual(roundOrder(2, 3), [
      [0, 1],
      [1, 0],
      [0, 1],
    ]);
    assert.deepEqual(roundOrder(3, 2), [
      [0, 1, 2],
      [2, 1, 0],
    ]);
    assert.deepEqual(roundOrder(0, 2), [[], []]);
    // Every target runs exactly once per round.
    for (const order of roundOrder(5, 4)) assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4]);
  });
});

describe('wrk output', () => {
  it('parses rate, latency percentiles and request count', () => {
    const r = parseWrk(WRK_OUTPUT);
    assert.equal(r.rps, 16411.66);
    assert.equal(r.requests, 18096);
    assert.equal(r.durationS, 1.1);
    assert.equal(r.p50Ms, 0.443);
    assert.equal(r.p99Ms, 49.29);
    assert.equal(r.errors, 0);
  });
  it('sums socket errors and non-2xx responses; reads seconds', () => {
    const r = parseWrk(WRK_WITH_ERRORS);
    assert.equal(r.errors, 2 + 251155 + 3 + 4 + 5);
    assert.equal(r.p99Ms, 1200);
    assert.equal(r.rps, 25116.4);
  });
  it('time units', () => {
    assert.equal(parseWrkTime('850.00us'), 0.85);
    assert.equal(parseWrkTime('4.72ms'), 4.72);
    assert.equal(parseWrkTime('2.00s'), 2000);
    assert.equal(parseWrkTime('1.00m'), 60_000);
    assert.throws(() => parseWrkTime('fast'));
  });
  it('refuses output without a summary', () => {
    assert.throws(
      () => parseWrk('unable to connect to 127.0.0.1:1 Connection refused'),
      /no summary/,
    );
  });
});

describe('autocannon result', () => {
  it('rate is total / duration; errors include timeouts and non-2xx', () => {
    const r = fromAutocannon({
      requests: { total: 50_000, average: 9_000 },
      latency: { p50: 3, p99: 12 },
      errors: 1,
      timeouts: 2,
      non2xx: 3,
      duration: 5,
    });
    assert.deepEqual(r, {
      rps: 10_000,
      p50Ms: 3,
      p99Ms: 12,
      errors: 6,
      requests: 50_000,
      durationS: 5,
    });
  });
});

describe('tool choice', () => {
  it('auto uses wrk only for fast scenarios and only when installed', () => {
    assert.equal(pickTool('auto', true, true), 'wrk');
    assert.equal(pickTool('auto', false, true), 'autocannon');
    assert.equal(pickTool('auto', true, false), 'autocannon');
    assert.equal(pickTool('wrk', false, true), 'wrk');
    assert.equal(pickTool('wrk', false, false), 'autocannon');
    assert.equal(pickTool('autocannon', true, true), 'autocannon');
  });
});

describe('rows', () => {
  it('first target that ran is the baseline; ratios are paired; errors summed', () => {
    const rows = rowsFor('s', 'wrk', [
      { target: { name: 'skipped' }, url: null, note: 'skipped: no uwsgi', results: [] },
      { target: { name: 'A' }, url: 'u', results: [result(100, 1, 5, 1), result(200, 3, 7, 2)] },
      { target: { name: 'B' }, url: 'u', results: [result(50), result(120)] },
      { target: { name: 'C', compareTo: 'B' }, url: 'u', results: [result(100), null] },
    ]);
    const [skipped, a, b, c] = rows;
    assert.equal(skipped!.ratio, null);
    assert.ok(Number.isNaN(skipped!.rps));
    assert.equal(skipped!.note, 'skipped: no uwsgi');
    assert.equal(a!.ratio, 1);
    assert.equal(a!.baseline, null);
    assert.equal(a!.rps, 150);
    assert.equal(a!.p50Ms, 2);
    assert.equal(a!.errors, 3);
    assert.equal(b!.baseline, 'A');
    assert.equal(b!.ratio, 0.55); // median of 0.5 and 0.6
    assert.equal(c!.baseline, 'B');
    assert.equal(c!.ratio, 2);
    assert.ok(Number.isNaN(c!.rounds[1]!));
  });
  it('compareTo: absent from the scenario → the first target; present but failed → no ratio', () => {
    const [, elsewhere, failed] = rowsFor('s', 'wrk', [
      { target: { name: 'A' }, url: 'u', results: [result(100)] },
      { target: { name: 'B', compareTo: 'not here' }, url: 'u', results: [result(50)] },
      { target: { name: 'C', compareTo: 'D' }, url: 'u', results: [result(50)] },
      { target: { name: 'D' }, url: null, note: 'failed to start', results: [] },
    ]);
    assert.equal(elsewhere!.ratio, 0.5);
    assert.equal(elsewhere!.baseline, 'A');
    assert.equal(failed!.ratio, null);
  });
  it('a target that compares to itself is a baseline', () => {
    const [x] = rowsFor('s', 'wrk', [
      { target: { name: 'node:http', compareTo: 'node:http' }, url: 'u', results: [result(9)] },
    ]);
    assert.equal(x!.ratio, 1);
    assert.equal(x!.baseline, null);
  });
});

function resultWith(rows: BenchRow[]) {
  return {
    schema: RESULT_SCHEMA,
    startedAt: new Date(0).toISOString(),
    finishedAt: new Date(1000).toISOString(),
    options: {},
    machine: {
      cpuModel: 'x',
      cores: 2,
      node: 'v20',
      os: 'linux',
      autocannon: '9',
      nginx: '1.22.1',
      uwsgi: null,
      wrk: null,
    },
    rows,
  };
}

describe('result file', () => {
  const rows = rowsFor('s', 'autocannon', [
    { target: { name: 'A' }, url: 'u', results: [result(100)] },
    { target: { name: 'B' }, url: null, note: 'skipped', results: [] },
  ]);
  const good = resultWith(rows);
  it('a result survives JSON (NaN becomes null) and has the expected shape', () => {
    const parsed: unknown = JSON.parse(JSON.stringify(good));
    assert.deepEqual(checkResultShape(parsed), []);
  });
  it('names what is wrong', () => {
    const bad = JSON.parse(JSON.stringify(good));
    bad.schema = 'other';
    bad.machine.cores = 'two';
    bad.rows[0].tool = 'ab';
    bad.rows[0].errors = null;
    delete bad.rows[1].rounds;
    assert.deepEqual(checkResultShape(bad), [
      'schema is not tsgi-bench/1',
      'machine.cores is not a number',
      'rows[0].tool is ab',
      'rows[0].errors is not a number',
      'rows[1].rounds is not an array',
    ]);
    assert.deepEqual(checkResultShape(null), ['not an object']);
  });
  it('the table has one line per row plus header and rule', () => {
    const table = formatTable(rows).split('\n');
    assert.equal(table.length, 4);
    assert.match(table[2]!, /\| A .* 100 .* 1\.00× .* baseline/);
    assert.match(table[3]!, /B \(skipped\).* – /);
  });
});

describe('external rows', () => {
  it('accepts BenchRow-like and tinybench-like objects', () => {
    const rows = normalizeRows(
      [
        { name: 'toWorker hello', hz: 120_000, p99: 0.02 },
        {
          scenario: 'lambda',
          name: 'handle',
          rps: 5,
          ratio: 0.5,
          baseline: 'raw',
          tool: 'tinybench',
        },
        'junk',
      ],
      'workers',
    );
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.scenario, 'workers');
    assert.equal(rows[0]!.tool, 'tinybench');
    assert.equal(rows[0]!.rps, 120_000);
    assert.equal(rows[0]!.p99Ms, 0.02);
    assert.deepEqual(rows[0]!.rounds, [120_000]);
    assert.equal(rows[1]!.ratio, 0.5);
    assert.equal(rows[1]!.baseline, 'raw');
    assert.deepEqual(normalizeRows({ rows: [{ name: 'x', rps: 1 }] }, 'g')[0]!.name, 'x');
    const [scaling] = normalizeRows(
      [
        {
          server: 'tsgi',
          workers: 2,
          scenario: 'hello',
          reqPerSec: 900,
          p99Ms: 30,
          failed: 1,
          ms: 120.4,
        },
      ],
      'workers-scaling',
    );
    assert.equal(scaling!.scenario, 'workers-scaling: hello');
    assert.equal(scaling!.name, 'tsgi, 2 workers');
    assert.equal(scaling!.rps, 900);
    assert.equal(scaling!.errors, 1);
    assert.equal(scaling!.note, '120 ms');
  });
});

describe('arguments', () => {
  it('defaults, smoke and explicit values', () => {
    const d = parseBenchArgs([]);
    assert.equal(d.durationS, 5);
    assert.equal(d.rounds, 3);
    assert.equal(d.connections, 100);
    const s = parseBenchArgs(['--smoke']);
    assert.equal(s.durationS, 1);
    assert.equal(s.rounds, 1);
    assert.equal(s.warmupS, 0);
    const e = parseBenchArgs(['--duration', '8', '--filter', 'hello,post', '--filter', 'stream']);
    assert.equal(e.durationS, 8);
    assert.deepEqual(e.filters, ['hello', 'post', 'stream']);
    assert.equal(parseBenchArgs(['--warmup', '0']).warmupS, 0);
    assert.equal(d.settleS, 90);
    assert.equal(s.settleS, 0);
    assert.equal(parseBenchArgs(['--settle', '0']).settleS, 0);
    assert.equal(d.baselineRef, undefined);
    assert.equal(parseBenchArgs(['--baseline-ref', 'v0.1.0']).baselineRef, 'v0.1.0');
  });
  it('refuses bad values', () => {
    assert.throws(() => parseBenchArgs(['--rounds', '-1']), /--rounds/);
    assert.throws(() => parseBenchArgs(['--tool', 'ab']), /--tool/);
    assert.throws(() => parseBenchArgs(['--bogus']));
    assert.throws(() => parseBenchArgs(['--settle', 'x']), /--settle/);
  });
  it('filters match substrings of scenario names', () => {
    assert.ok(matchesFilter('hello-1w', []));
    assert.ok(matchesFilter('hello-1w', ['hello']));
    assert.ok(!matchesFilter('post-64k', ['hello', 'stream']));
    assert.ok(matchesFilter('workers-scaling', ['workers']));
    assert.ok(!matchesFilter('workers-scaling', ['=workers']));
    assert.ok(matchesFilter('workers', ['=workers']));
  });
});

describe('nginx config', () => {
  it('one server per route, uwsgi_pass to unix and TCP, temp paths in the dir', () => {
    const conf = nginxConfig(
      '/tmp/x',
      [
        { kind: 'uwsgi', upstream: '/tmp/x/a.sock' },
        { kind: 'uwsgi', upstream: '127.0.0.1:3031' },
        { kind: 'return200', body: 'Hello' },
        { kind: 'proxy', upstream: '127.0.0.1:9000' },
      ],
      [8001, 8002, 8003, 8004],
    );
    assert.match(conf, /upstream backend3 \{ server 127\.0\.0\.1:9000; keepalive 32; \}/);
    assert.match(
      conf,
      /listen 127\.0\.0\.1:8004; location \/ \{ proxy_pass http:\/\/backend3; proxy_http_version 1\.1; proxy_set_header Connection "";/,
    );
    assert.match(
      conf,
      /listen 127\.0\.0\.1:8001; location \/ \{ uwsgi_pass unix:\/tmp\/x\/a\.sock;/,
    );
    assert.match(conf, /listen 127\.0\.0\.1:8002; location \/ \{ uwsgi_pass 127\.0\.0\.1:3031;/);
    assert.match(conf, /listen 127\.0\.0\.1:8003; .*return 200 'Hello';/);
    assert.match(conf, /include \/etc\/nginx\/uwsgi_params;/);
    assert.match(conf, /daemon off;/);
    assert.match(conf, /client_body_temp_path \/tmp\/x\/tmp\/body;/);
    assert.doesNotMatch(conf, /listen (?!127\.0\.0\.1)/);
  });
});

describe('server CPU', () => {
  it('reads the process group and CPU ticks from /proc/PID/stat', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    const line = '4242 (node (tsgi) x) S 1 4240 4240 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 11';
    assert.deepEqual(parseProcStat(line), { pgrp: 4240, ticks: 250 + 50 + 7 + 3 });
  });
  it('rows carry the median CPU per request', () => {
    const [row] = rowsFor('s', 'wrk', [
      {
        target: { name: 'A' },
        url: 'u',
        results: [result(1), result(1), result(1)],
        cpu: [30, null, 10],
      },
    ]);
    assert.equal(row!.serverCpuUsPerReq, 20);
  });
});

describe('compare with an earlier run', () => {
  it('matches rows by scenario and name; skips rows without figures', () => {
    const before = rowsFor('s', 'wrk', [
      { target: { name: 'A' }, url: 'u', results: [result(100)] },
      { target: { name: 'B' }, url: 'u', results: [result(50)] },
      { target: { name: 'C' }, url: null, results: [] },
    ]);
    const after = rowsFor('s', 'wrk', [
      { target: { name: 'A' }, url: 'u', results: [result(120)] },
      { target: { name: 'C' }, url: 'u', results: [result(10)] },
      { target: { name: 'D' }, url: 'u', results: [result(10)] },
    ]);
    assert.deepEqual(compareRows(after, before), [
      { scenario: 's', name: 'A', before: 100, after: 120, change: 1.2 },
    ]);
  });
});

describe('cpu profile summary', () => {
  // root → a (gateway/x.js) → b (node:net); samples: a, b, b, idle; 1 ms apart.
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 4] },
      { id: 2, callFrame: frame('a', 'file:///work/main/gateway/x.js'), children: [3] },
      { id: 3, callFrame: frame('b', 'node:net') },
      { id: 4, callFrame: frame('(idle)', '') },
    ],
    samples: [2, 3, 3, 4],
    timeDeltas: [1000, 1000, 1000, 1000],
  };
  it('self time per function and per file group', () => {
    const fns = topFunctions(profile);
    assert.equal(fns[0]!.name, 'b node:net:1');
    assert.equal(fns[0]!.selfUs, 2000);
    assert.deepEqual(
      topGroups(profile).map((g) => [g.name, g.selfUs]),
      [
        ['node:net', 2000],
        ['gateway/x.js', 1000],
        ['(idle)', 1000],
      ],
    );
  });
  it('inclusive time of our functions counts callees, not idle', () => {
    const [a] = inclusiveTimes(profile, /gateway\//);
    assert.equal(a!.selfUs, 3000);
    assert.equal(a!.share, 1);
  });
  it('drops the start-up samples', () => {
    assert.deepEqual(withoutStartup(profile, 2).samples, [3, 4]);
  });
});

const row = (over: Partial<BenchRow>): BenchRow => ({
  scenario: 's',
  name: 'n',
  tool: 'autocannon',
  rps: 100,
  p50Ms: 1,
  p99Ms: 2,
  errors: 0,
  baseline: null,
  ratio: 1,
  rounds: [100],
  ...over,
});

describe('load average', () => {
  it('a scenario that starts above 1.5 is noisy; its end figure is kept, not judged', () => {
    assert.equal(NOISY_LOAD, 1.5);
    assert.equal(isNoisy(1.5), false);
    assert.equal(isNoisy(1.51), true);
    assert.deepEqual(scenarioLoad('x', 0.4, 3.2), {
      scenario: 'x',
      before: 0.4,
      after: 3.2,
      noisy: false,
    });
    assert.equal(scenarioLoad('x', 2, 0.5).noisy, true);
  });
  it('rows carry the figures; the table shows them and says noisy', () => {
    const [quiet] = withLoad([row({})], scenarioLoad('s', 0.42, 2.1));
    assert.deepEqual(quiet!.load1m, { before: 0.42, after: 2.1 });
    assert.equal(quiet!.noisy, false);
    assert.equal(loadCell(quiet!), '0.42→2.10');
    const [busy] = withLoad([row({})], scenarioLoad('s', 9, 12));
    assert.equal(loadCell(busy!), '9.00→12.00 noisy');
    assert.equal(loadCell(row({})), '–');
    const table = formatTable([busy!]);
    assert.match(table.split('\n')[0]!, /load 1m/);
    assert.match(table.split('\n')[2]!, /9\.00→12\.00 noisy/);
    assert.deepEqual(checkResultShape(JSON.parse(JSON.stringify(resultWith([busy!])))), []);
  });
  it('settle time follows the 1-minute decay, capped', () => {
    assert.equal(settleSeconds(1.2, 90), 0);
    assert.equal(settleSeconds(3, 90), Math.ceil(60 * Math.log(2)));
    assert.equal(settleSeconds(40, 90), 90);
    assert.equal(settleSeconds(40, 0), 0);
  });
});

describe('PM2 baseline', () => {
  it('cluster mode with N instances, the port in the env, no restarts or log files', () => {
    const text = pm2Ecosystem(2, 18080, '/srv/app.cjs');
    assert.match(text, /^module\.exports = /);
    const config = JSON.parse(text.replace(/^module\.exports = /, '').replace(/;\s*$/, '')) as {
      apps: Record<string, unknown>[];
    };
    assert.equal(config.apps.length, 1);
    const app = config.apps[0]!;
    assert.equal(app.exec_mode, 'cluster');
    assert.equal(app.instances, 2);
    assert.equal(app.script, '/srv/app.cjs');
    assert.deepEqual(app.env, { PORT: '18080', NODE_ENV: 'production' });
    assert.equal(app.autorestart, false);
    assert.equal(app.out_file, '/dev/null');
  });
  it('is the baseline of the two-worker scenario, next to both gateway transports', () => {
    const s = SCENARIOS.find((x) => x.name === 'pm2-2w')!;
    assert.match(s.targets[0]!.name, /PM2 cluster \(2 × node:http/);
    assert.deepEqual(s.targets[0]!.requires, ['nginx', 'pm2']);
    const names = s.targets.map((t) => t.name);
    assert.ok(names.includes('nginx → tsgi (unix, 2 workers)'));
    assert.ok(names.includes('nginx → tsgi --http-socket (proxy_pass, keepalive, 2 workers)'));
    // No uWSGI target here, so every gateway row's ratio is against PM2.
    assert.ok(!names.some((n) => n.includes('uWSGI')));
  });
});

describe('Hono rows', () => {
  it('text and JSON, direct and behind nginx, each against the same app on node-server', () => {
    for (const name of ['hono-http-text', 'hono-http-json', 'hono-nginx-text', 'hono-nginx-json']) {
      const s = SCENARIOS.find((x) => x.name === name);
      assert.ok(s, name);
      assert.match(s.targets[0]!.name, /Hono app on node-server/);
      assert.match(s.targets[1]!.name, /tsgi.*Hono app/);
      assert.equal(s.request.path, name.endsWith('json') ? '/json/42' : '/');
      assert.equal(s.expectBytes, name.endsWith('json') ? '{"id":"42","ok":true}'.length : 13);
    }
  });
});

describe('--baseline-ref', () => {
  const target = (name: string, requires: Target['requires']): Target => ({
    name,
    requires,
    compareTo: 'base',
    start: async (ctx) => (ctx.gateway ? `ref:${ctx.gateway.label}` : 'now'),
  });
  const install = { label: 'v1', root: '/r', buildDir: '/r/.build' };
  it('each gateway target gets an @REF twin right after it, started on the ref', async () => {
    const out = withRefTargets(
      [target('base', ['nginx']), target('gw', ['nginx', 'gateway'])],
      install,
    );
    assert.deepEqual(
      out.map((t) => t.name),
      ['base', 'gw', 'gw @v1'],
    );
    assert.equal(out[2]!.compareTo, 'base');
    const ctx = { dir: '/tmp', own: (p: never) => p };
    assert.equal(await out[1]!.start(ctx), 'now');
    assert.equal(await out[2]!.start(ctx), 'ref:v1');
  });
  it('now ÷ ref is the paired ratio of the twins, per scenario', () => {
    const rows = [
      row({ scenario: 'a', name: 'gw', rounds: [110, 90], serverCpuUsPerReq: 40 }),
      row({ scenario: 'a', name: refName('gw', 'v1'), rounds: [100, 100], serverCpuUsPerReq: 50 }),
      row({ scenario: 'b', name: 'gw', rounds: [100] }),
    ];
    assert.deepEqual(refChanges(rows, 'v1'), [
      { scenario: 'a', name: 'gw', nowVsRef: 1, cpuNow: 40, cpuRef: 50 },
    ]);
  });
  it('a ref that is no commit, or looks like an option, is refused', () => {
    assert.equal(resolveRef('--output=/etc/passwd'), null);
    assert.equal(resolveRef('no-such-ref-anywhere'), null);
    assert.match(resolveRef('HEAD') ?? '', /^[0-9a-f]{40}$/);
  });
});
