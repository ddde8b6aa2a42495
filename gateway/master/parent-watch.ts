/**
 * Notices that the process which started the gateway has died, as gunicorn's workers compare
 * their ppid: `npx tsgi` in a container or a CI step gets SIGTERM on npx, which exits without
 * passing it on, and the gateway would keep serving as an orphan. The caller stops gracefully.
 *
 * Off when there is nothing to watch or the parent leaves on purpose: started by init (ppid 1, or
 * 0 as PID 1 in a container), --daemonize (its launcher exits at once), or --disable-parent-watch.
 * `nohup` cannot be told apart: Node resets inherited signal dispositions before any JS runs.
 */
export class ParentWatch {
  private readonly ppid = process.ppid;
  private reported = false;

  constructor(private readonly enabled = true) {}

  /** True when watching makes sense for this process. */
  get active(): boolean {
    return this.enabled && this.ppid > 1;
  }

  /** A description of the change, once, when the original parent is gone; null otherwise. */
  gone(): string | null {
    if (!this.active || this.reported) return null;
    const now = process.ppid;
    if (now === this.ppid) return null;
    this.reported = true;
    return `parent process ${this.ppid} exited (now ${now}; --disable-parent-watch keeps serving)`;
  }
}

/** Calls `onGone` once when the parent dies; checked every `intervalMs`. Returns a stop function. */
export function onParentExit(
  watch: ParentWatch,
  onGone: (reason: string) => void,
  intervalMs = 1000,
): () => void {
  if (!watch.active) return () => {};
  const timer = setInterval(() => {
    const reason = watch.gone();
    if (reason) {
      clearInterval(timer);
      onGone(reason);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
