/**
 * The response head of the last whole response on a uwsgi socket, kept as bytes: an app answers
 * with the same status and headers request after request (a hello world, an API's JSON), and
 * comparing them with the last ones costs far less than serializing, checking and encoding them
 * again. The head is a function of the status line, the header names and values, the length it
 * announces and whether the status carries a body, so the same inputs give the same bytes.
 */
import type { AppResponse } from '../../src/index.js';
import { serializeHead } from './response-head.js';

export class RepeatedHead {
  #statusLine = '';
  #length: number | undefined;
  #bodyless = false;
  /** Header names and values, flat; -1: nothing kept yet. */
  readonly #fields: string[] = [];
  #count = -1;
  #text = '';
  #bytes: Buffer | undefined;

  /**
   * The head for `response` (see serializeHead, which throws the same errors): its bytes when
   * it repeats the last head (shared: the caller writes them out and never changes them), else
   * its text, serialized and checked now.
   */
  head(response: AppResponse, bodyless: boolean, length: number | undefined): string | Buffer {
    if (this.#repeats(response, bodyless, length)) {
      this.#bytes ??= Buffer.from(this.#text, 'latin1');
      return this.#bytes;
    }
    const text = serializeHead(response, bodyless, length);
    const { headers } = response;
    const fields = this.#fields;
    fields.length = 0;
    for (let i = 0; i < headers.length; i++) fields.push(headers[i]![0], headers[i]![1]);
    this.#count = headers.length;
    this.#statusLine = response.statusLine;
    this.#length = length;
    this.#bodyless = bodyless;
    this.#text = text;
    this.#bytes = undefined;
    return text;
  }

  #repeats(response: AppResponse, bodyless: boolean, length: number | undefined): boolean {
    const { headers } = response;
    if (
      headers.length !== this.#count ||
      length !== this.#length ||
      bodyless !== this.#bodyless ||
      response.statusLine !== this.#statusLine
    ) {
      return false;
    }
    const fields = this.#fields;
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i]!;
      if (header[0] !== fields[2 * i] || header[1] !== fields[2 * i + 1]) return false;
    }
    return true;
  }
}
