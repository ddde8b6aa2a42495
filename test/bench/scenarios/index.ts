/**
 * Every load scenario of `npm run bench`, in run order. Within a scenario the first target is the
 * baseline (or the one a target names in `compareTo`). The goals are read off `hello-1w` (nginx →
 * tsgi ≥ 1.0× nginx → uWSGI), `pm2-2w` (2 workers behind nginx ≥ 1.0× PM2 cluster),
 * `http-hello` (tsgi --http-socket ≥ 1.0× node:http) and the `hono-*` rows (a Hono app through
 * fromHono ≥ 1.0× the same app on @hono/node-server). A new scenario is one more entry here.
 */
import type { LoadScenario } from '../lib/scenario.js';
import {
  direct,
  nginxPm2,
  nginxProxy,
  nginxReturn200,
  nginxToy,
  nginxTsgi,
  nginxUwsgiPython,
  tsgiHttp,
} from './targets.js';

const HELLO_BYTES = 13;
const hello = { method: 'GET', path: '/', bodyBytes: 0 } as const;
/** apps/hono.ts's JSON route: `{"id":"42","ok":true}`. */
const honoJson = { method: 'GET', path: '/json/42', bodyBytes: 0 } as const;
const HONO_JSON_BYTES = 21;

export const SCENARIOS: LoadScenario[] = [
  {
    name: 'hello-1w',
    title: 'hello world behind nginx, one worker each',
    request: hello,
    expectBytes: HELLO_BYTES,
    targets: [
      nginxUwsgiPython('hello', 'tcp', 1),
      nginxUwsgiPython('hello', 'unix', 1),
      nginxTsgi('hello', 'tcp', 1),
      nginxTsgi('hello', 'unix', 1),
      nginxReturn200(),
    ],
  },
  {
    name: 'hello-2w',
    title: 'hello world behind nginx, two workers each (master + 2)',
    request: hello,
    expectBytes: HELLO_BYTES,
    targets: [
      nginxUwsgiPython('hello', 'tcp', 2),
      nginxUwsgiPython('hello', 'unix', 2),
      nginxTsgi('hello', 'tcp', 2),
      nginxTsgi('hello', 'unix', 2),
    ],
  },
  {
    name: 'pm2-2w',
    title: 'two workers behind nginx: PM2 cluster (node:http) vs the gateway over uwsgi and HTTP',
    request: hello,
    expectBytes: HELLO_BYTES,
    targets: [
      nginxPm2(2),
      nginxTsgi('hello', 'unix', 2),
      nginxTsgi('hello', 'tcp', 2),
      nginxProxy('tsgi', 2),
    ],
  },
  {
    name: 'http-hello',
    title: 'hello world over direct HTTP/1.1 keep-alive',
    request: hello,
    expectBytes: HELLO_BYTES,
    fast: true,
    targets: [direct('node', 'hello'), direct('hono', 'hello'), tsgiHttp('hello')],
  },
  {
    name: 'post-64k',
    title: '64 KB POST echoed back',
    request: { method: 'POST', path: '/', bodyBytes: 64 * 1024 },
    expectBytes: 64 * 1024,
    targets: [
      nginxUwsgiPython('echo', 'unix', 1),
      nginxTsgi('echo', 'unix', 1),
      direct('node', 'echo'),
      tsgiHttp('echo'),
    ],
  },
  {
    name: 'get-100k',
    title: '100 KB response with Content-Length',
    request: hello,
    expectBytes: 100 * 1024,
    targets: [
      nginxUwsgiPython('big', 'unix', 1),
      nginxTsgi('big', 'unix', 1),
      direct('node', 'big'),
      tsgiHttp('big'),
    ],
  },
  {
    name: 'stream',
    title: 'streamed response, 16 × 1 KB chunks, no Content-Length',
    request: hello,
    expectBytes: 16 * 1024,
    targets: [
      nginxUwsgiPython('stream', 'unix', 1),
      nginxTsgi('stream', 'unix', 1),
      direct('node', 'stream'),
      tsgiHttp('stream'),
    ],
  },
  {
    name: 'proxy-keepalive',
    title: 'behind nginx without a connection per request: proxy_pass + upstream keepalive',
    request: hello,
    expectBytes: HELLO_BYTES,
    targets: [
      nginxUwsgiPython('hello', 'unix', 1),
      nginxTsgi('hello', 'unix', 1),
      nginxProxy('tsgi'),
      nginxProxy('node'),
    ],
  },
  {
    name: 'uwsgi-ceiling',
    title: 'what a Node process can do per nginx connection: the gateway vs minimal servers',
    request: hello,
    expectBytes: HELLO_BYTES,
    targets: [
      nginxUwsgiPython('hello', 'unix', 1),
      nginxTsgi('hello', 'unix', 1),
      nginxToy('net', 'unix'),
      nginxToy('handle', 'unix'),
      nginxToy('handle+early', 'unix'),
    ],
  },
  {
    name: 'node-costs',
    title: 'what each per-connection habit costs a node:net uwsgi server (timeouts, async hops)',
    request: hello,
    expectBytes: HELLO_BYTES,
    targets: [
      nginxToy('net', 'unix'),
      nginxToy('net+timeout', 'unix'),
      nginxToy('net+async', 'unix'),
      nginxToy('net+both', 'unix'),
      nginxTsgi('hello', 'unix', 1),
    ],
  },
  {
    name: 'gateway-build',
    title: 'the gateway compiled by tsc (what `npx tsgi` runs) vs run from source through tsx',
    request: hello,
    expectBytes: HELLO_BYTES,
    targets: [nginxTsgi('hello', 'unix', 1), nginxTsgi('hello', 'unix', 1, true)],
  },
  {
    name: 'hono-http-text',
    title: 'a Hono app, GET / text: on `tsgi --http-socket` (fromHono) vs on @hono/node-server',
    request: hello,
    expectBytes: HELLO_BYTES,
    fast: true,
    targets: [direct('hono', 'app'), tsgiHttp('hono', 'Hono app on node-server')],
  },
  {
    name: 'hono-http-json',
    title: 'a Hono app, GET /json/:id JSON: on `tsgi --http-socket` vs on @hono/node-server',
    request: honoJson,
    expectBytes: HONO_JSON_BYTES,
    fast: true,
    targets: [direct('hono', 'app'), tsgiHttp('hono', 'Hono app on node-server')],
  },
  {
    name: 'hono-nginx-text',
    title:
      'a Hono app behind nginx, GET /: over uwsgi vs @hono/node-server via proxy_pass keepalive',
    request: hello,
    expectBytes: HELLO_BYTES,
    targets: [nginxProxy('hono'), nginxTsgi('hono', 'unix', 1)],
  },
  {
    name: 'hono-nginx-json',
    title: 'a Hono app behind nginx, GET /json/:id: over uwsgi vs node-server via proxy_pass',
    request: honoJson,
    expectBytes: HONO_JSON_BYTES,
    targets: [nginxProxy('hono'), nginxTsgi('hono', 'unix', 1)],
  },
  {
    name: 'hono-gateway',
    title: 'a Hono app (fromFetch) behind the gateway vs the plain TSGI app',
    request: hello,
    expectBytes: HELLO_BYTES,
    targets: [nginxTsgi('hello', 'unix', 1), nginxTsgi('hono', 'unix', 1)],
  },
];
