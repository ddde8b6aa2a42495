/**
 * The TSGI extension keys (docs/spec.md, Extensions) and the pieces every platform shares: a
 * waitUntil that collects promises, and a start-up hook run once per process or isolate.
 */

import { type AppResponse, errorResponse } from './app-response.js';
import { coreError } from './errors.js';
import type { Environ, LifespanHooks, WaitUntil } from './types.js';

/** The environ key `tsgi.waitUntil`: `(promise) => void`, work that may outlive the response. */
export const WAIT_UNTIL_KEY = 'tsgi.waitUntil';
/** The environ key `tsgi.websocket`: present when the request can be upgraded to a WebSocket. */
export const WEBSOCKET_KEY = 'tsgi.websocket';
/** The environ key `tsgi.state`: state the start-up hook returned, shared by every request. */
export const STATE_KEY = 'tsgi.state';

/** A platform context that can hold work past the response (Workers' ExecutionContext, Hono's). */
interface WaitUntilHolder {
  waitUntil(promise: Promise<unknown>): void;
}

/** The first argument with a `waitUntil` method (toFetch gets the platform's as `(request, env, ctx)`). */
export function platformWaitUntil(args: readonly unknown[]): WaitUntil | undefined {
  for (const arg of args) {
    const holder = arg as Partial<WaitUntilHolder> | null;
    if (holder && typeof holder.waitUntil === 'function') {
      return (promise) => holder.waitUntil!(promise);
    }
  }
  return undefined;
}

/**
 * Work handed to waitUntil where the platform has nothing to hold it: the promises are kept
 * (so a caller can await them, as Lambda does before the invocation ends) and a rejection is
 * reported instead of becoming an unhandled rejection.
 */
export class PendingWork {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #report: (error: unknown) => void;
  readonly waitUntil: WaitUntil;

  constructor(report: (error: unknown) => void) {
    this.#report = report;
    this.waitUntil = (promise) => {
      const tracked = Promise.resolve(promise).then(
        () => {},
        (error: unknown) => this.#report(error),
      );
      this.#pending.add(tracked);
      void tracked.finally(() => this.#pending.delete(tracked));
    };
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Resolves when everything handed over so far (and anything it adds meanwhile) has settled. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }
}

/** One line for a failed background task. */
export function backgroundFailure(error: unknown): string {
  const e = error as { stack?: string; message?: string } | null;
  return `tsgi.waitUntil task failed: ${e?.stack ?? e?.message ?? String(error)}`;
}

/**
 * A start-up hook run once (per isolate, per Lambda environment, per gateway worker): every
 * request awaits the same run. A failed run is forgotten, so the next request tries again.
 */
export class Startup {
  readonly #hooks: LifespanHooks;
  #run: Promise<unknown> | undefined;
  #state: unknown;
  #done = false;

  constructor(hooks: LifespanHooks | undefined) {
    this.#hooks = hooks ?? {};
  }

  /** Starts the hook now (Lambda's init phase) without waiting for it. */
  begin(): Promise<unknown> {
    if (this.#done) return Promise.resolve(this.#state);
    if (!this.#run) {
      const hook = this.#hooks.startup;
      this.#run = Promise.resolve(hook ? hook() : undefined).then(
        (state) => {
          this.#state = state;
          this.#done = true;
          return state;
        },
        (error: unknown) => {
          this.#run = undefined;
          throw error;
        },
      );
      // A run started early and failed is reported to the request that awaits it next.
      this.#run.catch(() => {});
    }
    return this.#run;
  }

  /**
   * Waits for start-up; on failure logs to wsgi.errors and returns the 503 to answer with.
   * On success adds `tsgi.state`.
   */
  async wait(environ: Environ): Promise<AppResponse | undefined> {
    try {
      await this.begin();
    } catch (error) {
      const failed = coreError('ERR_TSGI_STARTUP_FAILED', undefined, error);
      environ['wsgi.errors'].write(`${failed.message}: ${(error as Error)?.stack ?? error}\n`);
      return errorResponse(failed);
    }
    this.addState(environ);
    return undefined;
  }

  /** True once start-up succeeded (or there is no hook): requests need not wait. */
  get ready(): boolean {
    return this.#done || !this.#hooks.startup;
  }

  /** Adds `tsgi.state` to an environ when start-up returned something. */
  addState(environ: Record<string, unknown>): void {
    if (this.#state !== undefined) environ[STATE_KEY] = this.#state;
  }
}

/**
 * tsgi.waitUntil for a request: the platform context's waitUntil when one of the handler's
 * arguments has it (Workers' `ctx`, Hono's `executionCtx`), else work kept by this handler, with
 * failures written to wsgi.errors (the host process keeps running, as Node, Deno and Bun do).
 */
export function addWaitUntil(environ: Environ, a: unknown, b: unknown, local: PendingWork): void {
  if (environ[WAIT_UNTIL_KEY] !== undefined) return; // options.environ supplied one
  const held = a === undefined && b === undefined ? undefined : platformWaitUntil([a, b]);
  if (held) {
    environ[WAIT_UNTIL_KEY] = held;
    return;
  }
  const errors = environ['wsgi.errors'];
  environ[WAIT_UNTIL_KEY] = (promise: Promise<unknown>) =>
    local.waitUntil(
      Promise.resolve(promise).catch((error: unknown) => {
        errors.write(`${backgroundFailure(error)}\n`);
      }),
    );
}
