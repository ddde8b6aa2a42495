/**
 * Every load scenario of `npm run bench`, in run order. Within a scenario the first target is the
 * baseline; the goals of issue #7 are read off `hello-1w` (nginx → tsgi ≥ 1.0× nginx → uWSGI)
 * and `http-hello` (tsgi --http-socket ≥ 0.9× node:http).
 */
import type { LoadScenario } from '../lib/scenario.js';
import {
  direct,
  nginxProxy,
  nginxReturn200,
  nginxToy,
  nginxTsgi,
  nginxUwsgiPython,
  tsgiHttp,
} from './targets.js';

const HELLO_BYTES = 13;
const hello = { method: 'GET', path: '/', bodyBytes: 0 } as const;

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
    name: 'hono-gateway',
    title: 'a Hono app (fromFetch) behind the gateway vs the plain TSGI app',
    request: hello,
    expectBytes: HELLO_BYTES,
    targets: [nginxTsgi('hello', 'unix', 1), nginxTsgi('hono', 'unix', 1)],
  },
];
