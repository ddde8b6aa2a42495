/**
 * examples/background.ts and examples/lifespan.ts, unchanged, under toFetch, Lambda's handle()
 * and the gateway (a real master with workers). workerd runs them in
 * test/adapters/cloudflare-workers/extensions.test.ts.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createErrors, toFetch, validator } from 'tsgi';
import { handle } from 'tsgi/aws-lambda';
import background, { outbox } from '../../examples/background.js';
import lifespan, { startup } from '../../examples/lifespan.js';
import { makeEvent } from '../adapters/aws-lambda/events-builder.js';
import { httpCall } from '../helpers/http-client.js';
import { type MasterProcess, startMaster } from '../helpers/master.js';
import { freePort } from '../helpers/ports.js';

const CONTEXT = { awsRequestId: 'ex-1' } as never;

describe('examples/background', () => {
  it('toFetch: answers at once, the mail follows', async () => {
    const lines: string[] = [];
    const fetch = toFetch(validator(background), {
      environOptions: { errors: createErrors((l) => lines.push(l)) },
    });
    outbox.length = 0;
    const res = await fetch(new Request('http://localhost/signup?email=a@x.test&delay=100'));
    assert.equal(res.status, 202);
    assert.deepEqual(outbox, []);
    await sleep(300);
    assert.deepEqual(outbox, ['welcome a@x.test']);
    assert.deepEqual(lines, []);
  });

  it('Lambda: the invocation ends after the mail was sent', async () => {
    outbox.length = 0;
    const event = makeEvent('http-v2', { path: '/signup', rawQuery: 'email=b@x.test&delay=100' });
    const result = (await handle(background)(event as never, CONTEXT)) as { statusCode: number };
    assert.equal(result.statusCode, 202);
    assert.deepEqual(outbox, ['welcome b@x.test']);
  });
});

describe('examples/lifespan', () => {
  it('toFetch and Lambda: start-up state reaches each request', async () => {
    const fetch = toFetch(validator(lifespan), { startup });
    const a = (await (await fetch(new Request('http://localhost/'))).json()) as { queries: number };
    const b = (await (await fetch(new Request('http://localhost/'))).json()) as { queries: number };
    assert.deepEqual([a.queries, b.queries], [1, 2]);
    const lambda = handle(lifespan, { startup });
    const r = (await lambda(makeEvent('http-v2') as never, CONTEXT)) as { body: string };
    assert.equal((JSON.parse(r.body) as { queries: number }).queries, 1);
  });

  it('without start-up the app says so (503)', async () => {
    const res = await toFetch(lifespan)(new Request('http://localhost/'));
    assert.equal(res.status, 503);
  });
});

describe('the extension examples on the gateway', () => {
  const masters: MasterProcess[] = [];
  after(async () => {
    for (const m of masters) await m.stop('SIGKILL');
  });

  it('lifespan: each worker starts its pool; a graceful stop closes it', async () => {
    const port = await freePort();
    const m = await startMaster(
      [
        '--master',
        '--processes',
        '2',
        '--http-socket',
        `127.0.0.1:${port}`,
        'examples/lifespan.ts',
      ],
      { workers: 2 },
    );
    masters.push(m);
    const reply = await httpCall(port, { path: '/' });
    assert.equal(reply.status, 200);
    assert.equal((JSON.parse(reply.body.toString()) as { queries: number }).queries, 1);
    process.kill(m.pid, 'SIGTERM');
    assert.equal(await m.exited, 0);
    const closed = m.lines.filter((l) => /pool closed after \d+ queries/.test(l));
    assert.equal(closed.length, 2, m.lines.join('\n'));
  });

  it('background: the mail is sent after the response', async () => {
    const port = await freePort();
    const m = await startMaster(
      [
        '--master',
        '--processes',
        '1',
        '--http-socket',
        `127.0.0.1:${port}`,
        'examples/background.ts',
      ],
      { workers: 1 },
    );
    masters.push(m);
    const reply = await httpCall(port, { path: '/signup?email=c@x.test&delay=300' });
    assert.equal(reply.status, 202);
    assert.equal((await httpCall(port, { path: '/outbox' })).body.toString(), '[]');
    await sleep(600);
    assert.equal(
      (await httpCall(port, { path: '/outbox' })).body.toString(),
      '["welcome c@x.test"]',
    );
    process.kill(m.pid, 'SIGTERM');
    assert.equal(await m.exited, 0);
  });
});
