/** Request bodies: event strings (plain or base64) → bytes. Lambda runs on Node, so Buffer is there. */
import { lambdaError } from './errors.js';

/** Decodes an event body; `undefined` when there is none. Throws ERR_LAMBDA_BODY_BASE64. */
export function decodeBody(
  body: string | null | undefined,
  isBase64Encoded: boolean,
): Uint8Array | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (!isBase64Encoded) return Buffer.from(body, 'utf8');
  const bytes = Buffer.from(body, 'base64');
  // Buffer skips characters outside the alphabet; a short result means the text was not base64.
  let pad = 0;
  if (body.endsWith('==')) pad = 2;
  else if (body.endsWith('=')) pad = 1;
  if (bytes.length !== Math.floor(((body.length - pad) * 3) / 4)) {
    throw lambdaError('ERR_LAMBDA_BODY_BASE64', `${body.length} characters`);
  }
  return bytes;
}
