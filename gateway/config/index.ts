/**
 * @module gateway/config — the gateway's option table and configuration loader.
 * `loadConfig({ argv, env, cwd })` is what the CLI calls; `OPTIONS`/`OPTION_LIST` is the table.
 */

export { applyChdir } from './chdir.js';
export { type ConfigChange, configChanges } from './config-changes.js';
export { CONFIG_ERRORS, type ConfigErrorCode, ConfigErrors, configError } from './errors.js';
export { masterOptions, needsMaster } from './implies-master.js';
export { type Action, type LoadOptions, type LoadResult, loadConfig } from './load.js';
export { type MigrationRow, uwsgiMigrationRows } from './migration.js';
export type {
  OptionKind,
  OptionSpec,
  OptionStatus,
  ReloadBehaviour,
  Section,
} from './option-types.js';
export {
  findOption,
  type GatewayConfig,
  OPTION_LIST,
  OPTIONS,
  type OptionEntry,
  type OptionKey,
} from './options.js';
export { renderHelp } from './render-help.js';
export { renderOptionsMarkdown } from './render-markdown.js';
export { renderPrintConfig } from './render-print-config.js';
export { runnableErrors } from './runnable.js';
