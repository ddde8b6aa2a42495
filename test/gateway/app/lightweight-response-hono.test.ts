/**
 * Hono's own behaviour through fromHono (the suite of test/adapters/hono/behaviour-suite.ts) with
 * the lightweight global Response installed, as a gateway worker runs a Hono app by default.
 */
import assert from 'node:assert/strict';
import { installLightweightResponse } from '../../../gateway/app/lightweight-response.js';
import { honoBehaviour } from '../../adapters/hono/behaviour-suite.js';

const native = globalThis.Response;
installLightweightResponse();
assert.notEqual(globalThis.Response, native);

honoBehaviour('gateway/app/lightweight-response: a Hono app behaves the same on it');
