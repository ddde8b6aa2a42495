/**
 * Differential fuzzing of the HTTP/1.1 codec against node:http's parser (llhttp, strict mode):
 * every request our codec accepts, llhttp accepts too, with the same method, target, version,
 * headers, body, keep-alive and message end (a request sent right after it parses as itself).
 * The converse does not hold by design: what we decline, node:http reads or refuses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { llhttpParse } from '../../helpers/llhttp.js';
import { agree, outcomeClass } from './differential.js';
import { type CodecOutcome, requestArb, runCodec } from './requests.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 6000);
describe('fuzz: HTTP codec against llhttp (strict)', () => {
  it(`accepts only what llhttp accepts, read the same way, over ${RUNS} hostile requests`, () => {
    const tally = new Map<string, number>();
    let llhttpRefused = 0;
    fc.assert(
      fc.property(requestArb, (bytes) => {
        const ours = runCodec(bytes);
        tally.set(outcomeClass(ours), (tally.get(outcomeClass(ours)) ?? 0) + 1);
        if (ours.kind === 'request') agree(bytes, ours);
        else if (llhttpParse(bytes).error !== undefined) llhttpRefused++;
      }),
      { numRuns: RUNS },
    );
    // The generator must reach both sides: accepted requests and each kind of refusal.
    for (const expected of ['request', 'incomplete', 'unsupported', 'ERR_HTTP_MALFORMED']) {
      assert.ok((tally.get(expected) ?? 0) > RUNS / 100, `too few ${expected}: ${[...tally]}`);
    }
    assert.ok(llhttpRefused > RUNS / 20, `llhttp refused only ${llhttpRefused}`);
  });

  it('cuts anywhere in an accepted head read as incomplete, never as an error', () => {
    fc.assert(
      fc.property(requestArb, fc.nat(), (bytes, at) => {
        const ours = runCodec(bytes);
        if (ours.kind !== 'request') return;
        const cut = bytes.subarray(0, at % ours.end);
        assert.equal(runCodec(cut).kind, 'incomplete', JSON.stringify(cut.toString('latin1')));
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('the harness can fail: a request llhttp refuses or frames apart is caught', () => {
    const fake = (end: number): Extract<CodecOutcome, { kind: 'request' }> => ({
      kind: 'request',
      end,
      body: Buffer.alloc(0),
      head: {
        method: 'GET',
        target: '/',
        minor: 1,
        headers: ['Host', 'x'],
        contentLength: -1,
        chunked: false,
        keepAlive: true,
        expectContinue: false,
        upgrade: false,
        hosts: 1,
      },
    });
    const bareLf = 'GET / HTTP/1.1\nHost: x\r\n\r\n';
    assert.throws(() => agree(Buffer.from(bareLf), fake(bareLf.length)));
    const withBody = 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab';
    // Claiming the message ends at the head while llhttp reads a body: caught.
    assert.throws(() => agree(Buffer.from(withBody), fake(withBody.length - 2)));
  });
});
