import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Logger } from '../../../gateway/logging/logger.js';
import type { UpgradeHandler } from '../../../gateway/server/http-server.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import { runApp } from '../../../src/index.js';
import { httpCall } from '../../helpers/http-client.js';
import app from '../fixtures/app.js';

const lines: string[] = [];
const logger: Logger = {
  info: (m) => lines.push(`info: ${m}`),
  warn: (m) => lines.push(`warn: ${m}`),
  error: (m) => lines.push(`error: ${m}`),
  request: (m) => lines.push(`request: ${m}`),
};

/** Reads from a raw connection until `until` matches what arrived (or the peer closes). */
function exchange(port: number, bytes: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no match for ${until} in ${JSON.stringify(text)}`));
    }, 5000);
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (until.test(text)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.on('error', () => {});
    socket.write(bytes);
  });
}

describe('gateway/server HTTP upgrade hook', () => {
  let gateway: Gateway;
  let port: number;
  const seen: Array<{ path: string; head: string; upgrade: unknown }> = [];

  const upgrade: UpgradeHandler = (request) => {
    const { environ, socket, head } = request;
    seen.push({ path: environ.PATH_INFO, head: head.toString(), upgrade: environ.HTTP_UPGRADE });
    if (environ.PATH_INFO === '/echo-proto') {
      // Takes the connection: switches and echoes what follows, as a protocol handler would.
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\n',
      );
      if (head.length) socket.write(head);
      socket.on('data', (c) => socket.write(c));
      socket.on('end', () => {
        request.done(101, 0);
        socket.end();
      });
      return;
    }
    // Declines: the app answers as for any request.
    void runApp(app, environ).then((response) => request.respond(response));
  };

  before(async () => {
    gateway = await serve(app, { http: ['127.0.0.1:0'], logger, upgrade });
    port = Number(gateway.addresses[0]!.address.split(':')[1]);
  });
  after(() => gateway?.close({ force: true }));

  it('hands an upgrade request its environ, socket and the bytes read past the head', async () => {
    const text = await exchange(
      port,
      'GET /echo-proto HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\nfirst-bytes',
      /first-bytes$/,
    );
    assert.match(text, /^HTTP\/1\.1 101 /);
    assert.deepEqual(seen.at(-1), { path: '/echo-proto', head: 'first-bytes', upgrade: 'echo' });
  });

  it('lets the handler decline: respond() writes, logs and closes', async () => {
    const text = await exchange(
      port,
      'GET /hello HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n',
      /Hello, world!$/,
    );
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(lines.some((l) => /request: .*GET \/hello => 200 13 bytes/.test(l)));
  });

  it('refuses an HTTP/1.1 upgrade without Host 400 with a request line, never handing it over', async () => {
    const before = seen.length;
    const from = lines.length;
    const text = await exchange(
      port,
      'GET /echo-proto?no-host HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n',
      /400 Bad Request\n$/,
    );
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*Connection: close\r\n/);
    assert.equal(seen.length, before);
    const own = lines.slice(from);
    assert.ok(
      own.some((l) => l.includes('ERR_HTTP_MISSING_HOST')),
      own.join('\n'),
    );
    assert.ok(own.some((l) => /^request: \S+ GET \/echo-proto\?no-host => 400 /.test(l)));
  });

  it('serves requests without an Upgrade header the ordinary way', async () => {
    const before = seen.length;
    assert.equal((await httpCall(port, { path: '/hello' })).status, 200);
    assert.equal(seen.length, before);
  });
});
