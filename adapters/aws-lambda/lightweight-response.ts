/**
 * The core's lightweight global Response for Lambda handlers; Lambda runs on Node, so a string
 * body becomes bytes through Buffer.from (faster than TextEncoder for short strings).
 */
import { installLightweightResponse as installInCore } from '../../src/lightweight-response.js';

/**
 * Call once at the top of the handler module to give a Fetch app (a Hono app through fromHono)
 * the lightweight global Response the gateway uses: its string or bytes responses are written from
 * what they were made of, without Node building a stream for each. Left out of the bundle when
 * not called. Returns whether it is installed.
 */
export function installLightweightResponse(): boolean {
  return installInCore((text) => Buffer.from(text));
}
