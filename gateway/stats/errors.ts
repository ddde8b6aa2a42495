/** Error codes of the stats server and its readers (gateway/stats). docs/errors.md collects this table with the others. */
import { type ErrorTable, errorFactory } from '../../src/errors.js';

export const STATS_ERRORS = {
  ERR_STATS_BIND: {
    message: 'the stats socket could not be bound',
    fix: 'Check --stats: host:port, :port or a unix path that is free.',
  },
  ERR_STATS_CONNECT: {
    message: 'could not read from the stats address',
    fix: 'Check that the gateway runs with --stats at that address.',
  },
} as const satisfies ErrorTable;

export const statsError = errorFactory(STATS_ERRORS);
