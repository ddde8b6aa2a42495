/**
 * The extensions on Lambda, calling handle() in-process: tsgi.waitUntil work is awaited before
 * the invocation ends (the environment freezes once the handler returns), start-up begins when
 * the handler is built (the init phase) and every invocation sees its state, and there is never a
 * tsgi.websocket (even for an upgrade request).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handle } from '../../../adapters/aws-lambda/index.js';
import type { App } from '../../../src/index.js';
import { makeEvent } from './events-builder.js';

const CONTEXT = { awsRequestId: 'req-1' } as never;
type Result = { statusCode: number; body?: string };

describe('aws-lambda: extensions', () => {
  test('waitUntil: the invocation ends only after the background work', async () => {
    const order: string[] = [];
    const app: App = (environ, start) => {
      environ['tsgi.waitUntil']!(
        new Promise<void>((resolve) =>
          setTimeout(() => {
            order.push('background done');
            resolve();
          }, 150),
        ),
      );
      start('200 OK', [['Content-Type', 'text/plain']]);
      return ['ok'];
    };
    const result = (await handle(app)(
      makeEvent('http-v2', { path: '/' }) as never,
      CONTEXT,
    )) as Result;
    order.push('invocation ended');
    assert.equal(result.statusCode, 200);
    assert.deepEqual(order, ['background done', 'invocation ended']);
  });

  test('a failed background task is logged with the request id, the result stands', async () => {
    const lines: string[] = [];
    const app: App = (environ, start) => {
      environ['tsgi.waitUntil']!(Promise.reject(new Error('metrics down')));
      start('200 OK', [['Content-Type', 'text/plain']]);
      return ['ok'];
    };
    const result = (await handle(app, { log: (l) => lines.push(l) })(
      makeEvent('http-v2') as never,
      CONTEXT,
    )) as Result;
    assert.equal(result.statusCode, 200);
    assert.match(lines.join('\n'), /\[req-1\] tsgi\.waitUntil task failed: Error: metrics down/);
  });

  test('start-up begins when the handler is built; invocations get tsgi.state', async () => {
    let began = 0;
    const app: App = (environ, start) => {
      start('200 OK', [['Content-Type', 'application/json']]);
      return [JSON.stringify(environ['tsgi.state'])];
    };
    const handler = handle(app, {
      startup: async () => {
        began++;
        return { pool: 'warm' };
      },
    });
    assert.equal(began, 1, 'start-up runs in the init phase, before any invocation');
    const a = (await handler(makeEvent('http-v2') as never, CONTEXT)) as Result;
    const b = (await handler(makeEvent('http-v2') as never, CONTEXT)) as Result;
    assert.equal(began, 1);
    assert.deepEqual(JSON.parse(a.body!), { pool: 'warm' });
    assert.deepEqual(JSON.parse(b.body!), { pool: 'warm' });
  });

  test('no tsgi.websocket on Lambda, even when the request asks for an upgrade', async () => {
    const app: App = (environ, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      return [String('tsgi.websocket' in environ)];
    };
    const event = makeEvent('http-v2', {
      headers: {
        host: 'example.test',
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
      },
    });
    const result = (await handle(app)(event as never, CONTEXT)) as Result;
    assert.equal(result.body, 'false');
  });
});
