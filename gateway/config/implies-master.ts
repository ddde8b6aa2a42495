/**
 * Whether a configuration needs the master process: `master` itself, or any option marked
 * `impliesMaster` in the table set to something other than its default. These are the options
 * whose work the master does here (worker count and recycling, harakiri's watchdog, reloads, the
 * pidfile, the stats server, vacuum, log files, dropping privileges). uWSGI turns its master on
 * silently for a subset of them (those flagged UWSGI_OPT_MASTER, e.g. stats, master-fifo,
 * touch-reload, cheaper, idle); tsgi turns it on for all of them, as its master does the work.
 * Read from the table, so a new master-side option says it there.
 */
import type { OptionSpec } from './option-types.js';
import { type GatewayConfig, OPTION_LIST } from './options.js';

function isDefault(value: unknown, spec: OptionSpec<unknown>): boolean {
  if (Array.isArray(value)) return value.length === (spec.default as readonly unknown[]).length;
  return value === spec.default;
}

/** The options that turn the master on in this configuration, in table order. */
export function masterOptions(config: GatewayConfig): string[] {
  return OPTION_LIST.filter(
    (e) => e.spec.impliesMaster === true && !isDefault(config[e.key], e.spec),
  ).map((e) => e.name);
}

export function needsMaster(config: GatewayConfig): boolean {
  return masterOptions(config).length > 0;
}
