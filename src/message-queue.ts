/**
 * Incoming WebSocket messages in arrival order for the app's `for await`: iteration waits for the
 * next message and ends once the queue was ended and emptied. Shared by every platform's socket.
 */
export class MessageQueue<T> implements AsyncIterable<T> {
  /** A message whose bytes are still being read (a Blob on workerd) is a promise, kept in order. */
  readonly #items: Array<T | Promise<T>> = [];
  #waiting: (() => void) | undefined;
  #ended = false;
  /** Called after each message taken (a transport resumes reading here). */
  onTake: ((size: number) => void) | undefined;

  get size(): number {
    return this.#items.length;
  }

  push(item: T | Promise<T>): void {
    if (this.#ended) return;
    this.#items.push(item);
    this.#wake();
  }

  /** No more messages: iteration ends after the ones already queued. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: async () => {
        for (;;) {
          if (this.#items.length > 0) {
            const item = this.#items.shift()!;
            this.onTake?.(this.#items.length);
            return { done: false, value: await item };
          }
          if (this.#ended) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (this.#waiting = resolve));
        }
      },
      return: async () => ({ done: true, value: undefined }),
    };
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }
}
