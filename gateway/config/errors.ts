/**
 * Error codes of the configuration loader. Every message names the option and the source
 * (file:line, env var or CLI flag) so the operator knows which line to change.
 */
import { type ErrorTable, errorFactory, TsgiError } from '../../src/errors.js';

export const CONFIG_ERRORS = {
  ERR_CONFIG_UNKNOWN_OPTION: {
    message: 'unknown option',
    fix: 'Check the spelling against gateway/OPTIONS.md (the message suggests the nearest name). uWSGI took typos as placeholders; tsgi refuses them.',
  },
  ERR_CONFIG_PYTHON_ONLY: {
    message: 'this uWSGI option only makes sense for Python apps',
    fix: 'A warning (an error under `strict`): tsgi ignores the line; the message says what it meant and what tsgi uses instead (usually `app = path/to/app.ts[:export]`).',
  },
  ERR_CONFIG_BUILT_IN: {
    message: 'tsgi always does what this uWSGI option asks',
    fix: 'A warning (an error under `strict`): tsgi ignores the line; remove it when convenient.',
  },
  ERR_CONFIG_INLINE_COMMENT: {
    message: 'text after a value was read as a comment',
    fix: 'A warning in [uwsgi] sections (an error under `strict`, and in [tsgi] sections): move the comment to its own line starting with # or ;.',
  },
  ERR_CONFIG_PLACEHOLDER_STRICT: {
    message: 'a key that is not an option is used as a placeholder under strict',
    fix: 'Declare it with `set-placeholder = name=value` (as uWSGI requires under --strict), or drop `strict`.',
  },
  ERR_CONFIG_NO_APP: {
    message: 'no app to serve',
    fix: 'Give APP (`tsgi [options] path/to/app.ts[:export]`) or `app = path/to/app.ts` in the config file; the message shows the line to write when a uWSGI `module`/`wsgi-file` line is present.',
  },
  ERR_CONFIG_CHDIR: {
    message: 'cannot change to the `chdir` directory',
    fix: 'Create the directory or correct `chdir` (a relative one is relative to where tsgi starts).',
  },
  ERR_CONFIG_NO_SOCKET: {
    message: 'no socket to serve on',
    fix: 'Add `--socket ADDR` (uwsgi protocol, for nginx uwsgi_pass), `--http-socket ADDR` (HTTP behind a proxy) or `--http ADDR` (HTTP from clients), or the same keys in the config file.',
  },
  ERR_CONFIG_NOT_SUPPORTED: {
    message: 'this uWSGI option has no tsgi equivalent',
    fix: 'Remove the line; the message explains what tsgi does instead.',
  },
  ERR_CONFIG_OPTION_PLANNED: {
    message: 'option not implemented yet in this version of tsgi',
    fix: 'Remove the named lines for now; gateway/OPTIONS.md marks which options are planned.',
  },
  ERR_CONFIG_INVALID_VALUE: {
    message: 'invalid value',
    fix: 'The message names the option, where it was set and the expected form (gateway/OPTIONS.md lists each type).',
  },
  ERR_CONFIG_MISSING_VALUE: {
    message: 'option needs a value',
    fix: 'Give the value after the flag (`--socket /run/app.sock`) or after `=` in a file.',
  },
  ERR_CONFIG_NOT_A_LIST: {
    message: 'option takes one value, but several were given in one place',
    fix: 'Give a single value; only repeatable options (socket, touch-reload, ...) accept lists.',
  },
  ERR_CONFIG_CLI_ONLY: {
    message: 'this option can only be given on the command line',
    fix: 'Pass it as a flag (e.g. `tsgi --print-config`), not in a config file or TSGI_* variable.',
  },
  ERR_CONFIG_CONFLICT: {
    message: 'conflicting options',
    fix: 'Keep one of the options the message names.',
  },
  ERR_CONFIG_EXTRA_ARGUMENT: {
    message: 'unexpected extra argument',
    fix: 'Give one APP (path/to/app.ts[:export]); options start with `-`.',
  },
  ERR_CONFIG_FILE_READ: {
    message: 'cannot read config file',
    fix: 'Check the path (relative paths are relative to the working directory) and its permissions.',
  },
  ERR_CONFIG_INI_SYNTAX: {
    message: 'INI syntax error',
    fix: 'Each line is `[section]`, `key = value`, a bare `key`, a blank line or a comment starting with # or ;.',
  },
  ERR_CONFIG_SECTION_NOT_FOUND: {
    message: 'config section not found',
    fix: 'Name an existing section (`--ini file.ini:section`); without one, [tsgi] is used, else [uwsgi].',
  },
  ERR_CONFIG_JSON_SYNTAX: {
    message: 'JSON syntax error',
    fix: 'Fix the JSON; the message has the parser position.',
  },
  ERR_CONFIG_JSON_SHAPE: {
    message: 'unexpected JSON value',
    fix: 'Use an object of options (under "tsgi", "uwsgi" or at top level) whose values are strings, numbers, booleans or arrays of those.',
  },
  ERR_CONFIG_INCLUDE_LOOP: {
    message: 'config files include each other in a loop',
    fix: 'Remove one of the `ini =` / `json =` lines the message lists.',
  },
  ERR_CONFIG_PLACEHOLDER_LOOP: {
    message: 'a %(placeholder) refers to itself',
    fix: 'Break the cycle between the keys the message lists.',
  },
  ERR_CONFIG_UNDEFINED_ENV: {
    message: 'a $(VAR) in a config file names an environment variable that is not set',
    fix: 'Set the variable, or remove the $(...) reference (uWSGI would have used an empty string).',
  },
  ERR_CONFIG_INVALID: {
    message: 'the configuration has several errors',
    fix: 'Each line of the message is one error with its own code; `errors` holds them.',
  },
} as const satisfies ErrorTable;

export type ConfigErrorCode = keyof typeof CONFIG_ERRORS;

export const configError = errorFactory(CONFIG_ERRORS);

/** Several config errors at once (an operator fixing a migrated uwsgi.ini wants them all). */
export class ConfigErrors extends TsgiError {
  readonly errors: readonly TsgiError[];
  constructor(errors: readonly TsgiError[]) {
    const lines = errors.map((e) => `  ${e.message}`).join('\n');
    super(
      'ERR_CONFIG_INVALID',
      `ERR_CONFIG_INVALID: ${CONFIG_ERRORS.ERR_CONFIG_INVALID.message}:\n${lines}`,
    );
    this.errors = errors;
  }
}

/** Throws nothing for no errors, the error itself for one, a ConfigErrors for several. */
export function throwCollected(errors: readonly TsgiError[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new ConfigErrors(errors);
}
