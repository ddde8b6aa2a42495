/**
 * TSGI_* environment variables → raw settings. TSGI_MAX_REQUESTS sets max-requests. A list
 * option takes several values separated by whitespace (TSGI_SOCKET="/run/a.sock :3031"); commas
 * are not separators because ssl-socket values contain them. An empty variable counts as unset
 * (compose files and shells produce them). Names under TSGI_INTERNAL_, TSGI_TEST_ and TSGI_BENCH_
 * are reserved for process plumbing and tooling and are never read as options.
 */
import { ENV_PREFIX, findOption } from './options.js';
import type { RawSetting } from './origin.js';

export const RESERVED_ENV_PREFIXES = ['TSGI_INTERNAL_', 'TSGI_TEST_', 'TSGI_BENCH_'] as const;

export type Env = Readonly<Record<string, string | undefined>>;

export function envToName(envName: string): string {
  return envName.slice(ENV_PREFIX.length).toLowerCase().replace(/_/g, '-');
}

export function parseEnv(env: Env): RawSetting[] {
  const settings: RawSetting[] = [];
  const names = Object.keys(env)
    .filter((k) => k.startsWith(ENV_PREFIX) && !RESERVED_ENV_PREFIXES.some((p) => k.startsWith(p)))
    .sort();
  for (const envName of names) {
    const raw = env[envName];
    if (raw === undefined || raw.trim() === '') continue;
    const name = envToName(envName);
    const origin = { kind: 'env', name: envName } as const;
    const items = findOption(name)?.spec.multiple ? raw.trim().split(/\s+/) : [raw];
    for (const value of items) settings.push({ name, value, origin });
  }
  return settings;
}
