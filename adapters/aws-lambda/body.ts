/** Request bodies: event strings (plain or base64) → bytes. Lambda runs on Node, so Buffer is there. */
import { createInput, type InputStream } from '../../src/index.js';
import { lambdaError } from './errors.js';

/**
 * wsgi.input over a body CloudFront cut at its limit: what arrived, then ERR_LAMBDA_EDGE_BODY_TRUNCATED
 * (413) instead of an end of body, so an app that reads it all never takes a partial upload as whole.
 */
export function truncatedInput(bytes: Uint8Array | undefined): InputStream {
  let pending = bytes && bytes.length > 0 ? bytes : null;
  return createInput({
    async pull() {
      const chunk = pending;
      pending = null;
      if (chunk) return chunk;
      throw lambdaError('ERR_LAMBDA_EDGE_BODY_TRUNCATED');
    },
  });
}

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
