/** The default base64 rule for buffered results. */

// Types whose bodies are text a proxy may carry as a JSON string unchanged.
const TEXT_TYPE =
  /^(?:text\/|application\/(?:json|javascript|ecmascript|xml|x-www-form-urlencoded|graphql|x-ndjson|ld\+json)\b)|[/+](?:json|xml)\s*(?:;|$)/i;

/**
 * Base64 when the body is content-encoded (gzip, br…: bytes, not text) or its type is not text.
 * No Content-Type counts as text; bytes that are not valid UTF-8 go out as base64 anyway.
 */
export function defaultIsBinary(
  contentType: string | undefined,
  contentEncoding: string | undefined,
): boolean {
  if (contentEncoding !== undefined) {
    const enc = contentEncoding.trim().toLowerCase();
    if (enc !== '' && enc !== 'identity') return true;
  }
  if (contentType === undefined || contentType === '') return false;
  return !TEXT_TYPE.test(contentType);
}
