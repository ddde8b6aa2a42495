/**
 * uwsgi signals (modifier1 110): a packet asks for signal N; the gateway answers `ff 00 00 01`
 * when a handler for N is registered and `ff 00 00 00` when not. Handlers run later, never inside
 * the socket callback (they only get queued there).
 */

export type UwsgiSignalHandler = (signal: number) => void | Promise<void>;

/** Handlers for uwsgi signals (modifier1 110) that nginx or a client can raise. */
export class UwsgiSignalRegistry {
  readonly #handlers = new Map<number, UwsgiSignalHandler>();

  /** Registers the handler for signal `signal` (0-255); returns a function that removes it. */
  on(signal: number, handler: UwsgiSignalHandler): () => void {
    if (!Number.isInteger(signal) || signal < 0 || signal > 255) {
      throw new RangeError(`uwsgi signal numbers are 0-255, got ${signal}`);
    }
    this.#handlers.set(signal, handler);
    return () => {
      if (this.#handlers.get(signal) === handler) this.#handlers.delete(signal);
    };
  }

  has(signal: number): boolean {
    return this.#handlers.has(signal);
  }

  /** Queues the handler; true when there was one. Errors go to `onError`. */
  deliver(signal: number, onError: (error: unknown) => void): boolean {
    const handler = this.#handlers.get(signal);
    if (!handler) return false;
    setImmediate(() => {
      try {
        Promise.resolve(handler(signal)).catch(onError);
      } catch (error) {
        onError(error);
      }
    });
    return true;
  }
}

const KEY = Symbol.for('tsgi.gateway.uwsgiSignals');

/**
 * The process-wide registry. Kept on globalThis so an app that imports 'tsgi/gateway' from
 * another copy of this module (dist vs source) still reaches the server's registry.
 */
const globals = globalThis as Record<symbol, unknown>;
if (!(globals[KEY] instanceof Object)) globals[KEY] = new UwsgiSignalRegistry();
/** The process-wide uwsgi signal registry the gateway serves from. */
export const uwsgiSignals = globals[KEY] as UwsgiSignalRegistry;
