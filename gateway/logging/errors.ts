/** Error codes of request logging (gateway/logging). docs/errors.md collects this table with the others. */
import { type ErrorTable, errorFactory } from '../../src/errors.js';

export const LOGGING_ERRORS = {
  ERR_LOG_FORMAT: {
    message: 'unknown %(variable) in --log-format',
    fix: 'Use the variables listed under log-format in gateway/OPTIONS.md, or %(var.NAME) for a request var.',
  },
} as const satisfies ErrorTable;

export const loggingError = errorFactory(LOGGING_ERRORS);
