// Cross-platform conformance: one suite of requests run against toFetch (the reference), the
// Workers adapter in workerd, the Lambda adapter (REST v1, HTTP API v2, ALB single and multi
// value, Function URL events built from the same request), the gateway behind nginx and the
// gateway's HTTP socket. Every CGI key and every response byte must match the reference, or the
// difference must be listed in KNOWN_DIFFERENCES with its reason (docs/reliability.md has the
// table; `CONFORMANCE_REPORT=1` prints it).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGateway } from '../helpers/gateway.js';
import { type Nginx, startNginx } from '../helpers/nginx.js';
import { freePort } from '../helpers/ports.js';
import { bundleWorker, startWorker, type WorkerRun } from '../helpers/workerd.js';
import { KNOWN_DIFFERENCES } from './known-differences.js';
import { LAMBDA_SOURCES, REQUESTS } from './requests.js';
import {
  httpTarget,
  lambdaTarget,
  type Observed,
  type Target,
  toFetchTarget,
  workerdTarget,
} from './targets.js';

export interface Difference {
  target: string;
  request: string;
  /** A CGI key, or `response <what>`. */
  key: string;
  reference: string | undefined;
  got: string | undefined;
}

function differences(target: string, request: string, ref: Observed, got: Observed): Difference[] {
  const out: Difference[] = [];
  const add = (key: string, a: unknown, b: unknown) => {
    const x = a === undefined ? undefined : JSON.stringify(a);
    const y = b === undefined ? undefined : JSON.stringify(b);
    if (x !== y) out.push({ target, request, key, reference: x, got: y });
  };
  add('response status', ref.status, got.status);
  add('response content-type', ref.contentType, got.contentType);
  add('response x-dup', ref.xDup, got.xDup);
  add('response set-cookie', ref.setCookie, got.setCookie);
  if (!ref.cgi) add('response body', ref.body.toString('hex'), got.body.toString('hex'));
  add('wsgi.input', ref.input, got.input);
  const keys = new Set([...Object.keys(ref.cgi ?? {}), ...Object.keys(got.cgi ?? {})]);
  for (const key of [...keys].sort()) add(key, ref.cgi?.[key], got.cgi?.[key]);
  return out;
}

function explain(d: Difference): string | undefined {
  return KNOWN_DIFFERENCES.find(
    (k) => k.targets.test(d.target) && k.key.test(d.key) && (k.when?.(d) ?? true),
  )?.reason;
}

describe('conformance: one app, every platform, same CGI keys and bytes', () => {
  let dir: string;
  let gateway: GatewayProcess;
  let nginx: Nginx;
  let worker: WorkerRun;
  const targets: Record<string, Target> = {};
  const found: Difference[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-conformance-'));
    const httpPort = await freePort();
    const sock = join(dir, 'app.sock');
    gateway = await startGateway([
      '--socket',
      sock,
      '--http-socket',
      `127.0.0.1:${httpPort}`,
      '--disable-logging',
      'test/conformance/app.ts',
    ]);
    nginx = await startNginx({ upstreams: [{ name: 'app', pass: `unix:${sock}` }] });
    worker = await startWorker(await bundleWorker('test/conformance/worker.ts', dir));
    targets.workerd = workerdTarget(
      (request) =>
        worker.mf.dispatchFetch(request.url, request as never) as unknown as Promise<Response>,
    );
    for (const source of LAMBDA_SOURCES) targets[`lambda ${source}`] = lambdaTarget(source);
    targets['gateway behind nginx'] = httpTarget(nginx.ports.app!);
    targets['gateway HTTP socket'] = httpTarget(httpPort);
  });

  after(async () => {
    await worker?.dispose();
    await nginx?.stop();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const request of REQUESTS) {
    it(request.name, async () => {
      const reference = await toFetchTarget(request);
      assert.equal(reference.status, 200);
      for (const [name, target] of Object.entries(targets)) {
        found.push(...differences(name, request.name, reference, await target(request)));
      }
    });
  }

  it('every difference from toFetch is a known one, with its reason', (t) => {
    const unexplained = found.filter((d) => explain(d) === undefined);
    const dump = process.env.CONFORMANCE_DUMP;
    if (dump)
      writeFileSync(
        dump,
        JSON.stringify(
          found.map((d) => ({ ...d, reason: explain(d) })),
          null,
          1,
        ),
      );
    if (process.env.CONFORMANCE_REPORT) {
      const rows = new Map<string, Set<string>>();
      for (const d of found) {
        const row = `| ${d.key} | ${explain(d) ?? '**UNEXPLAINED**'} |`;
        rows.set(row, (rows.get(row) ?? new Set()).add(d.target));
      }
      for (const [row, names] of rows) t.diagnostic(`${row} ${[...names].join(', ')}`);
    }
    assert.deepEqual(
      unexplained.map((d) => `${d.target} / ${d.request} / ${d.key}: ${d.reference} → ${d.got}`),
      [],
    );
    // Known entries that no longer happen are stale: drop them from the list.
    const stale = KNOWN_DIFFERENCES.filter((k) => !found.some((d) => explain(d) === k.reason));
    assert.deepEqual(
      stale.map((k) => k.reason),
      [],
    );
  });
});
