/** Error codes raised in a worker process (gateway/worker). docs/errors.md collects this table with the others. */
import { type ErrorTable, errorFactory } from '../../src/errors.js';

export const WORKER_ERRORS = {
  ERR_HARAKIRI: {
    status: 504,
    message: 'the request ran past its harakiri deadline',
    fix: 'Raise --harakiri, or find why the app is slow (the log line names the request).',
  },
} as const satisfies ErrorTable;

export const workerError = errorFactory(WORKER_ERRORS);
