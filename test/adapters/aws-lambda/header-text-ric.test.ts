/**
 * Non-ASCII response header values under AWS's runtime interface client. A request header `José`
 * reaches the environ as its UTF-8 bytes (`Jos\u00c3\u00a9`); echoed back, the result (buffered) and
 * the prelude (streamed) must say `José` again: the gateway writes JSON strings as UTF-8, so
 * `Jos\u00c3\u00a9` in the JSON would reach the client as `JosÃ©`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  parseStreamedHttpResponse,
  type RuntimeApi,
  startRuntimeApi,
} from '../../helpers/lambda-runtime-api.js';
import { makeEvent, type Source } from './events-builder.js';
import { buildExampleInto, type RicProcess, ROOT, requireRic, startRic } from './ric-process.js';

type Result = {
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
  body: string;
};

const HEADERS = { host: 'example.test', 'x-name': 'José' };

describe('aws-lambda: non-ASCII response headers under aws-lambda-ric', () => {
  let taskRoot = '';
  const apis: RuntimeApi[] = [];
  const rics: RicProcess[] = [];
  let buffered: RuntimeApi;
  let streaming: RuntimeApi;
  before(async () => {
    requireRic();
    taskRoot = mkdtempSync(join(tmpdir(), 'tsgi-lambda-hdr-'));
    await buildExampleInto(join(ROOT, 'test/adapters/aws-lambda/header-text-entry.ts'), taskRoot);
    buffered = await startRuntimeApi();
    streaming = await startRuntimeApi();
    apis.push(buffered, streaming);
    rics.push(startRic(taskRoot, 'handler', buffered.address));
    rics.push(startRic(taskRoot, 'streamingHandler', streaming.address));
  });
  after(async () => {
    for (const r of rics) await r.stop();
    for (const a of apis) await a.close();
    rmSync(taskRoot, { recursive: true, force: true });
  });

  for (const source of ['function-url', 'rest', 'alb-multi'] as Source[]) {
    test(`${source}, buffered: the echoed header and cookie are the request's text`, async () => {
      const outcome = await buffered.invoke(makeEvent(source, { headers: HEADERS }));
      assert.equal(outcome.kind, 'response', outcome.body.toString());
      const r = JSON.parse(outcome.body.toString()) as Result;
      const header = (name: string) => r.headers?.[name] ?? r.multiValueHeaders?.[name]?.[0];
      assert.equal(header('x-name'), 'José');
      assert.equal(header('x-latin1'), 'caf\u00e9');
      const cookies = r.cookies ?? r.multiValueHeaders?.['set-cookie'];
      assert.deepEqual(cookies, ['name=José; Path=/', 'plain=1']);
      assert.equal(r.body, 'José');
    });
  }

  test('function-url, streamed: the prelude carries the text', async () => {
    const outcome = await streaming.invoke(makeEvent('function-url', { headers: HEADERS }));
    assert.equal(outcome.kind, 'response', outcome.body.toString());
    const { prelude, body } = parseStreamedHttpResponse(outcome.body);
    assert.equal(prelude.headers?.['x-name'], 'José');
    assert.equal(prelude.headers?.['x-latin1'], 'caf\u00e9');
    assert.deepEqual(prelude.cookies, ['name=José; Path=/', 'plain=1']);
    assert.equal(body.toString(), 'José');
  });
});
