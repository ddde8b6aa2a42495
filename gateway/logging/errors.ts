/** Error codes of request logging (gateway/logging). docs/errors.md collects this table with the others. */
import { type ErrorTable, errorFactory } from '../../src/errors.js';

export const LOGGING_ERRORS = {
  ERR_LOG_FORMAT: {
    message: 'unknown %(variable) in --log-format',
    fix: 'Use the variables listed under log-format in gateway/OPTIONS.md, or %(var.NAME) for a request var.',
  },
  ERR_LOG_FILE: {
    message: 'the log file (--logto, --daemonize) could not be opened',
    fix: 'Check that the directory of the file exists and is writable by the user tsgi runs as, and that the path is not a directory. A failed reopen (FIFO l, SIGUSR2) keeps writing to the file already open.',
  },
} as const satisfies ErrorTable;

export const loggingError = errorFactory(LOGGING_ERRORS);
