/**
 * Error codes of the master (gateway/master): start-up, reload, control and the checks it runs on
 * its workers. docs/errors.md collects this table with the others.
 */
import { type ErrorTable, errorFactory } from '../../src/errors.js';

export const PROCESS_ERRORS = {
  ERR_HARAKIRI_BLOCKED: {
    message: 'a worker event loop was blocked longer than harakiri; the worker was killed',
    fix: 'Synchronous work blocks every request of that worker: move it off the event loop, or raise --harakiri.',
  },
  ERR_MASTER_APP_LOAD: {
    message: 'the first worker could not load the app; the gateway stops instead of crash-looping',
    fix: 'Fix the error shown above (the app path, an import, a throw at module top level).',
  },
  ERR_MASTER_BOOT: {
    message: 'a worker could not start serving on the listening sockets',
    fix: 'See the worker log line above; usually a permission or TLS certificate problem.',
  },
  ERR_MASTER_NO_WORKER: {
    message: 'no worker became ready at startup',
    fix: 'See the worker log lines above; the worker crashed before loading the app.',
  },
  ERR_MASTER_RELOAD_FAILED: {
    message:
      'a reload was abandoned: the new worker could not load the app; the old workers keep serving',
    fix: 'Fix the app (see the error above), then reload again.',
  },
  ERR_MASTER_PIDFILE: {
    message: 'the pidfile does not hold the pid of a running process',
    fix: 'Check the path given to --stop/--reload (the one the master got with --pidfile).',
  },
  ERR_MASTER_PIDFILE_WRITE: {
    message: 'the pidfile could not be written',
    fix: 'Check that the directory of --pidfile exists and is writable, and that the path is not a directory.',
  },
  ERR_MASTER_IDENTITY: {
    message: 'unknown user or group',
    fix: 'Give --uid/--gid/--chown-socket a name from /etc/passwd, /etc/group, or a number; a uid without a passwd entry needs --gid too.',
  },
  ERR_MASTER_FIFO: {
    message: 'the master FIFO could not be created, or what is at its path is not safe to use',
    fix: 'Check that the directory of --master-fifo exists and is writable. An existing FIFO must belong to the gateway user and not be writable by others; anything else at the path is left alone: remove it or choose another path.',
  },
  ERR_MASTER_UNKNOWN_FIFO_COMMAND: {
    message: 'unknown master FIFO command',
    fix: 'Use one of r R w W c q Q s + - l (docs/signals.md).',
  },
} as const satisfies ErrorTable;

export type ProcessErrorCode = keyof typeof PROCESS_ERRORS;

export const processError = errorFactory(PROCESS_ERRORS);
