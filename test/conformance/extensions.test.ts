// The TSGI extensions across platforms (docs/spec.md, Extensions): every platform gives
// tsgi.waitUntil and the start-up state; tsgi.websocket appears for an upgrade request exactly
// where the platform can upgrade (Workers, the gateway's HTTP socket) and is absent elsewhere
// (toFetch, every Lambda source, the gateway's uwsgi socket behind nginx).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { handle } from '../../adapters/aws-lambda/index.js';
import { toFetch } from '../../src/index.js';
import { type GatewayProcess, startGateway } from '../helpers/gateway.js';
import { type Nginx, startNginx } from '../helpers/nginx.js';
import { freePort } from '../helpers/ports.js';
import { bundleWorker, startWorker, type WorkerRun } from '../helpers/workerd.js';
import app, { startup } from './extensions-app.js';
import { type CanonicalRequest, fetchRequest, LAMBDA_SOURCES, lambdaEvent } from './requests.js';

interface Probe {
  waitUntil: string;
  websocket: { protocols: string[] } | null;
  state: { probe: string } | null;
}

const PLAIN: CanonicalRequest = {
  name: 'plain',
  method: 'GET',
  path: '/probe',
  query: '',
  headers: [],
};
const UPGRADE: CanonicalRequest = {
  name: 'upgrade',
  method: 'GET',
  path: '/probe',
  query: '',
  headers: [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['Sec-WebSocket-Version', '13'],
    ['Sec-WebSocket-Protocol', 'chat, echo'],
  ],
};

function httpProbe(port: number, r: CanonicalRequest): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const flat = ['Host', 'conformance.test'];
    for (const [n, v] of r.headers) flat.push(n, v);
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: r.path,
      headers: flat as never,
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(parts).toString()) as Probe));
    });
    req.end();
  });
}

describe('conformance: the extensions on every platform', () => {
  let dir: string;
  let gateway: GatewayProcess;
  let nginx: Nginx;
  let worker: WorkerRun;
  let httpPort: number;
  const probes: Record<string, (r: CanonicalRequest) => Promise<Probe>> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgi-conformance-ext-'));
    httpPort = await freePort();
    const sock = join(dir, 'app.sock');
    gateway = await startGateway([
      '--socket',
      sock,
      '--http-socket',
      `127.0.0.1:${httpPort}`,
      '--disable-logging',
      'test/conformance/extensions-app.ts',
    ]);
    nginx = await startNginx({ upstreams: [{ name: 'app', pass: `unix:${sock}` }] });
    worker = await startWorker(await bundleWorker('test/conformance/extensions-worker.ts', dir));
    const fetchHandler = toFetch(app, { startup });
    probes.toFetch = async (r) => (await (await fetchHandler(fetchRequest(r))).json()) as Probe;
    probes.workerd = async (r) => {
      const request = fetchRequest(r);
      const res = (await worker.mf.dispatchFetch(
        request.url,
        request as never,
      )) as unknown as Response;
      return (await res.json()) as Probe;
    };
    const lambda = handle(app, { startup });
    for (const source of LAMBDA_SOURCES) {
      probes[`lambda ${source}`] = async (r) => {
        const result = (await lambda(lambdaEvent(r, source) as never)) as {
          body: string;
          isBase64Encoded?: boolean;
        };
        const body = Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
        return JSON.parse(body.toString()) as Probe;
      };
    }
    probes['gateway uwsgi behind nginx'] = (r) => httpProbe(nginx.ports.app!, r);
    probes['gateway HTTP socket'] = (r) => httpProbe(httpPort, r);
  });

  after(async () => {
    await worker?.dispose();
    await nginx?.stop();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tsgi.waitUntil and the start-up state are there on every platform', async () => {
    for (const [name, probe] of Object.entries(probes)) {
      const got = await probe(PLAIN);
      assert.equal(got.waitUntil, 'function', name);
      assert.deepEqual(got.state, { probe: 'ready' }, name);
      assert.equal(got.websocket, null, `${name}: no upgrade was asked for`);
    }
  });

  it('tsgi.websocket is offered exactly where the platform can upgrade', async () => {
    const upgrades = new Set(['workerd', 'gateway HTTP socket']);
    for (const [name, probe] of Object.entries(probes)) {
      const got = await probe(UPGRADE);
      if (upgrades.has(name))
        assert.deepEqual(got.websocket, { protocols: ['chat', 'echo'] }, name);
      else assert.equal(got.websocket, null, `${name} must not offer an upgrade`);
    }
  });
});
