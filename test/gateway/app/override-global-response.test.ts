/**
 * --override-global-response: on by default, the app's process (the worker under a master, the
 * single process without one) runs with the lightweight global Response;
 * `--no-override-global-response` (or `=false`) keeps Node's. Either way a Hono app answers the
 * same bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startGateway } from '../../helpers/gateway.js';
import { httpCall } from '../../helpers/http-client.js';
import { freePort } from '../../helpers/ports.js';

const APP = 'test/gateway/fixtures/hono-response-kind.ts';

async function served(extra: string[]): Promise<{ kind: string; json: string; stream: string }> {
  const port = await freePort();
  const gateway = await startGateway(['--http-socket', `127.0.0.1:${port}`, ...extra, APP]);
  try {
    const text = async (path: string) => {
      const r = await httpCall(port, { path });
      assert.equal(r.status, 200, path);
      return r.body.toString();
    };
    return {
      kind: await text('/kind'),
      json: await text('/json/7'),
      stream: await text('/stream'),
    };
  } finally {
    await gateway.stop();
  }
}

const SAME = { json: '{"id":"7","ok":true}', stream: 'blob body' };

describe('gateway: --override-global-response', () => {
  it('on by default, without a master', async () => {
    assert.deepEqual(await served([]), { kind: 'lightweight', ...SAME });
  });
  it('on by default in a worker under the master', async () => {
    assert.deepEqual(await served(['--master', '--processes', '1']), {
      kind: 'lightweight',
      ...SAME,
    });
  });
  it('false keeps Node’s Response, with the same answers', async () => {
    assert.deepEqual(await served(['--no-override-global-response']), {
      kind: 'native',
      ...SAME,
    });
    assert.deepEqual(await served(['--master', '--override-global-response=false']), {
      kind: 'native',
      ...SAME,
    });
  });
});
