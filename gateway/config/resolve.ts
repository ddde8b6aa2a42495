/**
 * Merges the layers, lowest first: defaults < config files < TSGI_* env < CLI. Within one layer a
 * single-valued option takes its last value and a list option collects every value; a higher
 * layer replaces a lower layer's value (lists included). Every value goes through the entry's
 * parser whatever its source, and every error names the option and where it was set.
 */
import type { TsgiError } from '../../src/errors.js';
import { configError } from './errors.js';
import { lookupOption } from './lookup.js';
import { ValueError } from './option-types.js';
import { OPTION_LIST, type OptionKey } from './options.js';
import { describeOrigin, type Origin, placeOf, type RawSetting, sourceLabel } from './origin.js';

export interface Resolved {
  readonly values: Readonly<Record<OptionKey, unknown>>;
  /** Per option: `default`, `ini:PATH:LINE`, `json:PATH`, `env:NAME` or `cli` (several, comma-separated, for a list built from several lines). */
  readonly sources: Readonly<Record<OptionKey, string>>;
  /** Every place each option was mentioned, in any layer (even when a higher layer won). */
  readonly mentions: ReadonlyMap<OptionKey, readonly Origin[]>;
  readonly errors: readonly TsgiError[];
  /** uWSGI keys tsgi ignored or read under another name (errors under `strict`). */
  readonly warnings: readonly TsgiError[];
}

interface LayerValue {
  value: unknown;
  origins: Origin[];
}

export function resolveLayers(layers: readonly (readonly RawSetting[])[]): Resolved {
  const values = {} as Record<OptionKey, unknown>;
  const sources = {} as Record<OptionKey, string>;
  const mentions = new Map<OptionKey, Origin[]>();
  const errors: TsgiError[] = [];
  const warnings: TsgiError[] = [];
  for (const { key, spec } of OPTION_LIST) {
    values[key] = spec.default;
    sources[key] = 'default';
  }

  for (const layer of layers) {
    const set = new Map<OptionKey, LayerValue>();
    for (const setting of layer) {
      const found = lookupOption(setting.name, setting.origin);
      if ('error' in found) {
        errors.push(found.error);
        continue;
      }
      if ('ignored' in found) {
        warnings.push(found.ignored);
        continue;
      }
      if (found.warning) warnings.push(found.warning);
      const { key, name, spec } = found.entry;
      mentions.set(key, [...(mentions.get(key) ?? []), setting.origin]);
      const where = describeOrigin(setting.origin);
      const raw = setting.value ?? spec.bareValue;
      if (raw === undefined) {
        errors.push(
          configError(
            'ERR_CONFIG_MISSING_VALUE',
            `'${name}' ${placeOf(setting.origin)} needs ${spec.meta}`,
          ),
        );
        continue;
      }
      let parsed: unknown;
      try {
        parsed = spec.parse(raw);
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
        // A would-be inline comment (uWSGI's atoi used to hide it): say why the value is odd.
        const hint = /\s[#;]/.test(raw)
          ? ' (a # or ; comment only works at the start of a line)'
          : '';
        errors.push(
          configError(
            'ERR_CONFIG_INVALID_VALUE',
            `${name} = '${raw}' from ${where}: ${error.message}${hint}`,
          ),
        );
        continue;
      }
      const prev = set.get(key);
      if (spec.multiple) {
        const items = (prev?.value as unknown[] | undefined) ?? [];
        set.set(key, {
          value: [...items, parsed],
          origins: [...(prev?.origins ?? []), setting.origin],
        });
      } else {
        set.set(key, { value: parsed, origins: [setting.origin] });
      }
    }
    for (const [key, { value, origins }] of set) {
      values[key] = value;
      sources[key] = [...new Set(origins.map(sourceLabel))].join(', ');
    }
  }
  return { values, sources, mentions, errors, warnings };
}

/** One error naming every `planned` option that was set, and where. */
export function plannedError(resolved: Resolved): TsgiError | undefined {
  const used: string[] = [];
  for (const { key, name, spec } of OPTION_LIST) {
    const origins = resolved.mentions.get(key);
    if (spec.status !== 'planned' || !origins) continue;
    used.push(`${name} (${origins.map(describeOrigin).join(', ')})`);
  }
  if (used.length === 0) return undefined;
  return configError(
    'ERR_CONFIG_OPTION_PLANNED',
    `${used.join('; ')} — these options are in the table but not implemented yet; remove them for now`,
  );
}
