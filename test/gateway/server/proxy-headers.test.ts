/** X-Forwarded-For/-Proto on an HTTP socket: honoured from trusted peers only, off by default. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../gateway/logging/logger.js';
import { type Gateway, serve } from '../../../gateway/server/serve.js';
import { httpCall } from '../../helpers/http-client.js';
import app from '../fixtures/app.js';

async function environVia(port: number, headers: Record<string, string>) {
  const res = await httpCall(port, { path: '/environ', headers: Object.entries(headers) });
  return JSON.parse(res.body.toString()) as Record<string, unknown>;
}

describe('gateway/server proxy headers (--forwarded-allow-ips)', () => {
  const gateways: Gateway[] = [];
  const start = async (forwardedAllowIps?: string[]) => {
    const g = await serve(app, {
      http: ['127.0.0.1:0'],
      ...(forwardedAllowIps ? { forwardedAllowIps } : {}),
      logger: createLogger({ write: () => {} }),
    });
    gateways.push(g);
    return Number(g.addresses[0]!.address.split(':')[1]);
  };
  let plain: number;
  let trusted: number;
  let elsewhere: number;
  before(async () => {
    plain = await start();
    trusted = await start(['127.0.0.1']);
    elsewhere = await start(['10.0.0.1']);
  });
  after(() => Promise.all(gateways.map((g) => g.close({ force: true }))));

  const spoof = { 'X-Forwarded-For': '6.6.6.6, 1.2.3.4', 'X-Forwarded-Proto': 'https' };

  it('ignores them by default', async () => {
    const environ = await environVia(plain, spoof);
    assert.equal(environ.REMOTE_ADDR, '127.0.0.1');
    assert.equal(environ['wsgi.url_scheme'], 'http');
  });

  it('ignores them from a peer not in the list', async () => {
    const environ = await environVia(elsewhere, spoof);
    assert.equal(environ.REMOTE_ADDR, '127.0.0.1');
    assert.equal(environ['wsgi.url_scheme'], 'http');
  });

  it('takes the right-most untrusted address and the scheme from a trusted peer', async () => {
    const environ = await environVia(trusted, spoof);
    assert.equal(environ.REMOTE_ADDR, '1.2.3.4');
    assert.equal(environ['wsgi.url_scheme'], 'https');
    // A value that is not an address stops the walk; a scheme other than http(s) is ignored.
    const odd = await environVia(trusted, {
      'X-Forwarded-For': '1.2.3.4, junk',
      'X-Forwarded-Proto': 'gopher',
    });
    assert.equal(odd.REMOTE_ADDR, '127.0.0.1');
    assert.equal(odd['wsgi.url_scheme'], 'http');
  });
});
