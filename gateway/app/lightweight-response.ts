/**
 * The gateway's lightweight global Response (--override-global-response): the class lives in the
 * core (src/lightweight-response.ts, shared with the AWS Lambda adapter); on Node a string body
 * becomes bytes through Buffer.from, faster than the core's TextEncoder for short strings.
 */
import {
  lightweightResponseClass as classInCore,
  installLightweightResponse as installInCore,
} from '../../src/lightweight-response.js';

const encodeText = (text: string): Uint8Array => Buffer.from(text);

/**
 * Installs the lightweight Response as the global `Response` (once), as the CLI does before it loads
 * the app (--override-global-response); with serve(), call it before the app is imported. Returns
 * whether it is installed (false where the runtime has no Response).
 */
export function installLightweightResponse(): boolean {
  return installInCore(encodeText);
}

/** The lightweight Response class over `Native` (the runtime's Response). */
export function lightweightResponseClass(Native: typeof Response): typeof Response {
  return classInCore(Native, encodeText);
}
