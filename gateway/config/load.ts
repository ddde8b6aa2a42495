/**
 * The entry point: argv + env + cwd → a frozen GatewayConfig, the source of each value, the APP
 * and the action the CLI should take. Precedence, lowest first: defaults < config files
 * (--ini/--json, in the order given) < TSGI_* env < CLI flags.
 */
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import type { TsgiError } from '../../src/errors.js';
import { appLineFor } from './app-hint.js';
import { parseCli } from './cli-parse.js';
import { type Env, parseEnv } from './env-parse.js';
import { configError, throwCollected } from './errors.js';
import type { HostFacts } from './expand.js';
import { loadConfigFiles } from './files.js';
import { defaultConfig, type GatewayConfig, OPTION_LIST, type OptionKey } from './options.js';
import { describeOrigin, type RawSetting } from './origin.js';
import { plannedError, resolveLayers } from './resolve.js';

export interface LoadOptions {
  /** The arguments after the program name (process.argv.slice(2)). */
  readonly argv: readonly string[];
  /** Defaults to no TSGI_* variables; the CLI passes process.env. */
  readonly env?: Env;
  /** Base for relative config-file paths (and %v); defaults to process.cwd(). */
  readonly cwd?: string;
  /** %k and %h; defaults to this machine's. */
  readonly host?: HostFacts;
}

export type Action =
  | { readonly kind: 'run' }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'print-config' }
  | { readonly kind: 'stop'; readonly pidfile: string }
  | { readonly kind: 'reload'; readonly pidfile: string }
  | { readonly kind: 'connect-and-read'; readonly address: string };

export interface LoadResult {
  readonly config: GatewayConfig;
  /** Which source set each value: `default`, `ini:PATH:LINE`, `json:PATH`, `env:NAME` or `cli`. */
  readonly sources: Readonly<Record<OptionKey, string>>;
  /** The APP spec (path/to/module[:export]) from the argument, --app, a file or TSGI_APP; null if none. */
  readonly app: string | null;
  readonly action: Action;
  /** Absolute paths of the config files that were read, in order. */
  readonly files: readonly string[];
  /** What tsgi ignored or read differently, for one warning block (empty under `strict`). */
  readonly warnings: readonly TsgiError[];
  /** The `app = ...` line to write when the files name a Python app (`module`, `wsgi-file`). */
  readonly appLine: string | null;
}

/** Path options read before `chdir`, as uWSGI does: anchored to the start directory here. */
const START_DIR_PATHS = ['pidfile', 'daemonize', 'logto'] as const;

function freeze<T extends object>(record: T): Readonly<T> {
  for (const value of Object.values(record)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(record);
}

function defaultsResult(action: Action): LoadResult {
  const sources = Object.fromEntries(OPTION_LIST.map((e) => [e.key, 'default']));
  return {
    config: freeze(defaultConfig()),
    sources: Object.freeze(sources) as Record<OptionKey, string>,
    app: null,
    action,
    files: [],
    warnings: [],
    appLine: null,
  };
}

function lastBoolean(settings: readonly RawSetting[], names: readonly string[]): boolean {
  const last = settings.filter((s) => names.includes(s.name)).at(-1);
  return last !== undefined && (last.value === null || /^(true|yes|on|1)$/i.test(last.value));
}

function chooseAction(config: GatewayConfig, errors: TsgiError[]): Action {
  const actions: Action[] = [];
  if (config.stop !== null) actions.push({ kind: 'stop', pidfile: config.stop });
  if (config.reload !== null) actions.push({ kind: 'reload', pidfile: config.reload });
  if (config.connectAndRead !== null) {
    actions.push({ kind: 'connect-and-read', address: config.connectAndRead });
  }
  if (config.printConfig) actions.push({ kind: 'print-config' });
  if (actions.length > 1) {
    const names = actions.map((a) => `--${a.kind}`).join(', ');
    errors.push(configError('ERR_CONFIG_CONFLICT', `${names}: give one action at a time`));
  }
  return actions[0] ?? { kind: 'run' };
}

export function loadConfig(options: LoadOptions): LoadResult {
  const env = options.env ?? {};
  const cwd = options.cwd ?? process.cwd();
  const host = options.host ?? { cpus: availableParallelism(), hostname: hostname() };
  const cli = parseCli(options.argv);

  // --help and --version answer even when the rest of the command line or a file is broken.
  if (lastBoolean(cli.settings, ['help'])) return defaultsResult({ kind: 'help' });
  if (lastBoolean(cli.settings, ['version'])) return defaultsResult({ kind: 'version' });

  const errors: TsgiError[] = [...cli.errors];
  const cliSettings = [...cli.settings];
  if (cli.positionals.length > 1) {
    errors.push(configError('ERR_CONFIG_EXTRA_ARGUMENT', `got ${cli.positionals.join(' ')}`));
  }
  const positional = cli.positionals[0];
  if (positional !== undefined) {
    if (cliSettings.some((s) => s.name === 'app')) {
      errors.push(
        configError('ERR_CONFIG_CONFLICT', `APP ${positional} and --app: give the app once`),
      );
    }
    cliSettings.push({ name: 'app', value: positional, origin: { kind: 'cli', flag: 'APP' } });
  }

  const envSettings = parseEnv(env);
  const fileLayer = loadConfigFiles([...envSettings, ...cliSettings], { cwd, env, host });
  errors.push(...fileLayer.errors);

  const resolved = resolveLayers([fileLayer.settings, envSettings, cliSettings]);
  errors.push(...resolved.errors);
  const config = { ...resolved.values } as Record<OptionKey, unknown>;
  for (const key of START_DIR_PATHS) {
    if (typeof config[key] === 'string') config[key] = resolve(cwd, config[key]);
  }
  const warnings = [...fileLayer.warnings, ...resolved.warnings];
  if (config.strict === true) {
    errors.push(...warnings.splice(0), ...strictPlaceholderErrors(fileLayer.customPlaceholders));
  }
  const gateway = config as unknown as GatewayConfig;
  const action = chooseAction(gateway, errors);
  const planned = plannedError(resolved);
  if (planned) errors.push(planned);
  throwCollected(errors);

  return {
    config: freeze({ ...gateway }),
    sources: Object.freeze({ ...resolved.sources }),
    app: gateway.app,
    action,
    files: Object.freeze([...fileLayer.files]),
    warnings: Object.freeze(warnings),
    appLine: appLineFor([...fileLayer.settings, ...envSettings, ...cliSettings]),
  };
}

/** uWSGI's --strict allows placeholders only through set-placeholder; so does tsgi's. */
function strictPlaceholderErrors(placeholders: readonly RawSetting[]): TsgiError[] {
  return placeholders.map((p) =>
    configError(
      'ERR_CONFIG_PLACEHOLDER_STRICT',
      `'${p.name}' in ${describeOrigin(p.origin)}: write \`set-placeholder = ${p.name}=${p.value ?? ''}\``,
    ),
  );
}
