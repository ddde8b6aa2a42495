/** One self-overwriting status line on a TTY (stderr); silent otherwise. */

export type ProgressStop = () => void;

export function showProgress(
  label: string,
  durationS: number,
  rate?: () => number | undefined,
): ProgressStop {
  const out = process.stderr;
  if (!out.isTTY) return () => {};
  const start = Date.now();
  const draw = () => {
    const elapsed = (Date.now() - start) / 1000;
    const width = 20;
    const done = Math.min(width, Math.round((elapsed / durationS) * width));
    const r = rate?.();
    const rateText = r === undefined ? '' : `  ${Math.round(r).toLocaleString('en-US')} req/s`;
    const line = `  [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${elapsed.toFixed(0)}/${durationS}s ${label}${rateText}`;
    out.write(`\r${line.slice(0, (out.columns ?? 120) - 1).padEnd((out.columns ?? 120) - 1)}`);
  };
  draw();
  const timer = setInterval(draw, 250);
  return () => {
    clearInterval(timer);
    out.write(`\r${' '.repeat((out.columns ?? 120) - 1)}\r`);
  };
}
