// Short fuzzing of the uwsgi codec inside `npm test` (a few seconds). The long mode is
// test/fuzz/long.ts (≥ 1,000,000 cases); both run the same properties (pipeline.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodePacket } from '../../gateway/uwsgi/index.js';
import { mutate, packetCaseArb } from './packets.js';
import { checkCase, classifyError, outcomeClass, PropertyFailure, runCodec } from './pipeline.js';

const SHORT_RUNS = Number(process.env.FUZZ_RUNS ?? 4000);

describe('fuzz: uwsgi codec (short mode)', () => {
  it(`holds every property over ${SHORT_RUNS} random, mutated and split packets`, () => {
    const tally = new Map<string, number>();
    fc.assert(
      fc.property(packetCaseArb, (c) => {
        const outcome = checkCase(c);
        const key = `${c.source}:${outcomeClass(outcome)}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
      }),
      { numRuns: SHORT_RUNS },
    );
    // The generator must reach both sides: accepted requests and each kind of refusal.
    const classes = new Set([...tally.keys()].map((k) => k.split(':')[1]));
    for (const expected of [
      'request',
      'incomplete',
      'ERR_UWSGI_VARS_OVERRUN',
      'ERR_UWSGI_TRAILING_BYTES',
      'ERR_UWSGI_BLOCK_TOO_LARGE',
      'ERR_UWSGI_PLAIN_HTTP',
      'ERR_UWSGI_BAD_CONTENT_LENGTH',
      'ERR_UWSGI_MISSING_VAR',
      'ERR_UWSGI_TOO_MANY_VARS',
    ]) {
      assert.ok(classes.has(expected), `no case reached ${expected}: ${[...tally.keys()]}`);
    }
  });

  it('the harness can fail: uncoded errors, wrong statuses and lost splits are caught', () => {
    assert.throws(() => classifyError(new TypeError('x is undefined'), 'vars'), PropertyFailure);
    const wrongStatus = Object.assign(new Error('x'), {
      code: 'ERR_UWSGI_VARS_OVERRUN',
      status: 500,
    });
    assert.throws(() => classifyError(wrongStatus, 'vars'), PropertyFailure);
    assert.throws(() => classifyError(Object.assign(new Error('x'), { code: 'ERR_NOPE' }), 'vars'));
    const packet = encodePacket({ REQUEST_METHOD: 'GET', PATH_INFO: '/' });
    // A datasize past the end leaves the packet incomplete, whole or split.
    const cut = mutate(packet, { kind: 'datasize', value: packet.length + 10 });
    assert.equal(runCodec([cut], { bufferSize: 65535, maxVars: 10 }).kind, 'incomplete');
  });
});
