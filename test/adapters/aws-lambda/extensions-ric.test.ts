/**
 * tsgi.waitUntil under AWS's runtime interface client: the invocation ends only after the
 * background work (Lambda freezes the environment once the handler returns), for handle() and,
 * after the stream has ended, for streamHandle(). Observed from outside: the runtime asks for
 * the next event only when the handler has returned (the app turns off the wait for an empty
 * event loop), so an invocation queued right behind the first one already sees the mail.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type InvocationOutcome,
  parseStreamedHttpResponse,
  type RuntimeApi,
  startRuntimeApi,
} from '../../helpers/lambda-runtime-api.js';
import { loadEvent } from './fixtures.js';
import { buildExampleInto, type RicProcess, ROOT, requireRic, startRic } from './ric-process.js';

function furl(path: string, query: string): Record<string, unknown> {
  const event = loadEvent('function-url-captured-get-trailing-slash.json');
  const rc = event.requestContext as { http: { method: string; path: string } };
  rc.http.method = 'GET';
  rc.http.path = path;
  event.rawPath = path;
  event.rawQueryString = query;
  return event;
}

function bodyOf(outcome: InvocationOutcome, streamed: boolean): string {
  if (streamed) return parseStreamedHttpResponse(outcome.body).body.toString();
  return (JSON.parse(outcome.body.toString()) as { body: string }).body;
}

describe('aws-lambda: tsgi.waitUntil under aws-lambda-ric', () => {
  let taskRoot = '';
  const apis: RuntimeApi[] = [];
  const rics: RicProcess[] = [];
  before(async () => {
    requireRic();
    taskRoot = mkdtempSync(join(tmpdir(), 'tsgi-lambda-ext-'));
    await buildExampleInto(join(ROOT, 'test/adapters/aws-lambda/extensions-entry.ts'), taskRoot);
  });
  after(async () => {
    for (const r of rics) await r.stop();
    for (const a of apis) await a.close();
    rmSync(taskRoot, { recursive: true, force: true });
  });

  for (const [name, streamed] of [
    ['handler', false],
    ['streamingHandler', true],
  ] as const) {
    test(`${name}: the next invocation starts only after the background work`, async () => {
      const api = await startRuntimeApi();
      apis.push(api);
      const ric = startRic(taskRoot, name, api.address);
      rics.push(ric);
      const first = api.invoke(furl('/signup', ''));
      const second = api.invoke(furl('/outbox', ''));
      assert.equal(bodyOf(await first, streamed), 'signed up');
      assert.equal(bodyOf(await second, streamed), '["welcome"]');
    });
  }
});
