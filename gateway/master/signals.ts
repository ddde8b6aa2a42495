/**
 * Signal and FIFO-letter → master action: the one table the master dispatches on and
 * docs/signals.md documents. Handlers only queue the action; the master loop performs it.
 */

export type MasterAction =
  | 'reload' // graceful rolling reload of every worker
  | 'chain-reload' // the same, one worker at a time (what `reload` does anyway)
  | 'brutal-reload' // close every worker's connections now, start new workers
  | 'stop' // graceful shutdown within worker-reload-mercy, exit 0
  | 'quit' // immediate shutdown
  | 'stats' // print the stats to the log
  | 'add-worker' // cheaper: one more worker (up to processes)
  | 'remove-worker' // cheaper: one worker less (down to cheaper, or 1)
  | 'reopen-log'; // reopen --logto (logrotate)

export interface ControlEntry {
  readonly action: MasterAction;
  readonly signal?: NodeJS.Signals;
  readonly fifo?: readonly string[];
  readonly summary: string;
}

export const CONTROL_TABLE: readonly ControlEntry[] = [
  {
    action: 'reload',
    signal: 'SIGHUP',
    fifo: ['r', 'w'],
    summary:
      'Graceful rolling reload: start a new worker, wait until it accepts, retire the oldest; repeat. No request fails.',
  },
  {
    action: 'chain-reload',
    fifo: ['c'],
    summary:
      'Chain reload (the same rolling reload: one worker at a time). Also --touch-chain-reload.',
  },
  {
    action: 'brutal-reload',
    fifo: ['R', 'W'],
    summary: 'Brutal reload: close every worker and its connections now, start new workers.',
  },
  {
    action: 'stop',
    signal: 'SIGTERM',
    fifo: ['q'],
    summary:
      'Graceful shutdown: remove the unix socket files, accept what is already queued, stop accepting, finish in-flight requests within worker-reload-mercy, exit 0.',
  },
  { action: 'stop', signal: 'SIGINT', summary: 'Same as SIGTERM (a second one quits at once).' },
  {
    action: 'quit',
    signal: 'SIGQUIT',
    fifo: ['Q'],
    summary: 'Immediate shutdown: kill the workers (SIGKILL), exit 0.',
  },
  {
    action: 'stats',
    signal: 'SIGUSR1',
    fifo: ['s'],
    summary: 'Write the stats (one line per worker) to the log.',
  },
  {
    action: 'add-worker',
    signal: 'SIGTTIN',
    fifo: ['+'],
    summary: 'One more worker (up to --processes).',
  },
  {
    action: 'remove-worker',
    signal: 'SIGTTOU',
    fifo: ['-'],
    summary: 'One worker less (down to --cheaper, at least 1).',
  },
  {
    action: 'reopen-log',
    signal: 'SIGUSR2',
    fifo: ['l'],
    summary: 'Reopen the --logto file (after logrotate moved it).',
  },
];

export const SIGNAL_ACTIONS: ReadonlyMap<NodeJS.Signals, MasterAction> = new Map(
  CONTROL_TABLE.filter((e) => e.signal).map((e) => [e.signal!, e.action]),
);

export const FIFO_ACTIONS: ReadonlyMap<string, MasterAction> = new Map(
  CONTROL_TABLE.flatMap((e) => (e.fifo ?? []).map((letter) => [letter, e.action] as const)),
);

/** The table as Markdown rows (docs/signals.md embeds it; a test keeps them in sync). */
export function renderControlTable(): string {
  const rows = CONTROL_TABLE.map(
    (e) =>
      `| ${e.signal ?? '—'} | ${(e.fifo ?? []).map((l) => `\`${l}\``).join(' ') || '—'} | ${e.action} | ${e.summary} |`,
  );
  return [
    '| signal | FIFO letter | action | what happens |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
