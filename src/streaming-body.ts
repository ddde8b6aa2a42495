/**
 * The body of a response committed before the app finished: chunks from write() and the app's
 * iterable, in order, each handed over before the next is asked for. It closes the app when the
 * body ends, fails or is abandoned (return()).
 */

import { type AppOutput, isThenable, toBytes } from './app-output.js';
import { RESOLVED } from './app-response.js';
import type { BodyChunk } from './types.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The body and its one iterator: hand-written rather than an async generator, it skips a
 * microtask per chunk when the app's iterable is synchronous.
 */
export class StreamingBody implements AsyncIterableIterator<Uint8Array> {
  readonly #output: AppOutput;
  #pending: Uint8Array[];
  #index = 0;
  #done = false;

  constructor(output: AppOutput, first: Uint8Array[]) {
    this.#output = output;
    this.#pending = first;
  }

  #refill(): void {
    this.#pending = this.#output.take();
    this.#index = 0;
  }

  /** The body is its own iterator: it is read once. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    return this.step();
  }

  /**
   * The next chunk, synchronously when it can be had without waiting (queued chunks, a
   * synchronous iterable), else a promise. toFetch's stream uses it to skip a promise per chunk.
   */
  step(): IteratorResult<Uint8Array> | Promise<IteratorResult<Uint8Array>> {
    if (this.#done) return DONE;
    const output = this.#output;
    try {
      for (;;) {
        if (this.#index < this.#pending.length) {
          return { done: false, value: output.count(this.#pending[this.#index++]!) };
        }
        if (output.hasQueued) {
          this.#refill();
          continue;
        }
        // The app is still running (it committed through write()): wait for writes or its body.
        if (!output.settled) return output.waitForMore().then(() => this.step());
        const r = output.pull();
        if (r === undefined) break;
        if (isThenable(r)) {
          return Promise.resolve(r).then(
            (result) => {
              try {
                this.#take(result);
              } catch (error) {
                return this.#fail(error);
              }
              return this.step();
            },
            (error: unknown) => this.#fail(error),
          );
        }
        this.#take(r);
      }
      output.checkEnd();
    } catch (error) {
      return this.#fail(error);
    }
    this.#done = true;
    const closing = output.close();
    return closing === RESOLVED ? DONE : closing.then(() => DONE);
  }

  /** Files what the app's iterator gave: chunks written meanwhile first, then its chunk. */
  #take(r: IteratorResult<BodyChunk>): void {
    this.#refill();
    if (r.done) {
      this.#output.endOfApp();
      return;
    }
    const bytes = toBytes(r.value);
    if (bytes.length > 0) this.#pending.push(bytes);
  }

  async #fail(error: unknown): Promise<never> {
    this.#done = true;
    const wrapped = this.#output.failAfterHeaders(error);
    await this.#output.close();
    throw wrapped;
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.#done = true;
    await this.#output.close();
    return DONE;
  }
}
