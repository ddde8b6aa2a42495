import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OPTIONS } from '../../../gateway/config/options.js';
import { resolveServerOptions } from '../../../gateway/server/options.js';
import { ROOT } from '../../helpers/gateway.js';

describe('gateway/server/options', () => {
  it('a value left out takes the option table default (one declaration)', () => {
    const r = resolveServerOptions({});
    assert.equal(r.bufferSize, OPTIONS.bufferSize.default);
    assert.equal(r.socketTimeout, OPTIONS.socketTimeout.default);
    assert.equal(r.socketTimeoutMs, OPTIONS.socketTimeout.default * 1000);
    assert.equal(r.listen, OPTIONS.listen.default);
    assert.equal(r.maxVars, OPTIONS.maxVars.default);
    assert.equal(r.limitPost, OPTIONS.limitPost.default);
    assert.equal(r.disableLogging, OPTIONS.disableLogging.default);
    assert.equal(r.workerConnections, OPTIONS.workerConnections.default);
  });

  it('no gateway module declares a max-vars default of its own', () => {
    const files = readdirSync(join(ROOT, 'gateway'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && f !== join('config', 'options.ts'),
    );
    for (const f of files) {
      const text = readFileSync(join(ROOT, 'gateway', f), 'utf8');
      assert.doesNotMatch(text, /DEFAULT_MAX_VARS|maxVars\s*(=|\?\?)\s*\d/, f);
    }
  });
});
