/** What a load scenario is: one request shape, several targets, the first one the baseline. */
import type { GatewayInstall } from './backends.js';
import type { Tracked } from './processes.js';
import type { LoadRequest } from './types.js';

/** Something a target needs on this machine; a missing one skips the target with a note. */
export type Requirement = 'nginx' | 'uwsgi' | 'gateway' | 'master' | 'wrk' | 'pm2';

export interface TargetContext {
  /** The scenario's temp dir (sockets, configs, logs). */
  dir: string;
  /**
   * Registers a process to stop when the scenario ends. `server` processes (the default) are the
   * ones whose CPU per request is reported; `proxy` is nginx.
   */
  own(proc: Tracked, role?: 'server' | 'proxy'): Tracked;
  /** The gateway to start instead of this tree's (the `@REF` copies of `--baseline-ref`). */
  gateway?: GatewayInstall;
}

export interface Target {
  name: string;
  requires: Requirement[];
  /** Starts everything the target needs; resolves with the URL to load. */
  start(ctx: TargetContext): Promise<string>;
  note?: string;
  /** Name of the target this one's ratio is taken against; default: the scenario's first. */
  compareTo?: string;
}

export interface LoadScenario {
  /** Short id used by `--filter` and in the JSON file, e.g. `hello-1w`. */
  name: string;
  title: string;
  request: Omit<LoadRequest, 'connections'>;
  /** Response body length every target must return (checked once before the load). */
  expectBytes: number;
  /** Rates above autocannon's single-thread ceiling (~50k/s): use wrk when installed. */
  fast?: boolean;
  /** targets[0] is the baseline that ratios are taken against. */
  targets: Target[];
}
