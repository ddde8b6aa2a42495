/**
 * What changed between two loaded configurations, and whether SIGHUP can apply each change. The
 * master re-runs loadConfig on SIGHUP and uses this to log the changes that need a restart
 * (sockets, identity, the master itself) instead of silently dropping them.
 */
import type { ReloadBehaviour } from './option-types.js';
import { type GatewayConfig, OPTION_LIST, type OptionKey } from './options.js';

export interface ConfigChange {
  readonly key: OptionKey;
  /** The option's file key / flag name, for log lines. */
  readonly name: string;
  readonly before: unknown;
  readonly after: unknown;
  /** `hup`: new workers use the new value; `restart`: only a stop and start applies it. */
  readonly reload: ReloadBehaviour;
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  }
  return Object.is(a, b);
}

export function configChanges(before: GatewayConfig, after: GatewayConfig): ConfigChange[] {
  const changes: ConfigChange[] = [];
  for (const { key, name, spec } of OPTION_LIST) {
    const a = before[key];
    const b = after[key];
    if (!same(a, b)) changes.push({ key, name, before: a, after: b, reload: spec.reload });
  }
  return changes;
}
