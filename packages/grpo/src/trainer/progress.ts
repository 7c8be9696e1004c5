/**
 * A one-line progress bar for interactive terminals (Node with a TTY stdout); silent elsewhere (browsers, CI
 * logs, pipes), where the JSONL log is the record.
 *
 * @packageDocumentation
 */

interface TtyStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

function ttyStdout(): TtyStream | undefined {
  const p = (globalThis as { process?: { stdout?: TtyStream } }).process;
  const out = p?.stdout;
  return out && out.isTTY && typeof out.write === 'function' ? out : undefined;
}

/** A progress bar over `total` steps; `enabled: 'auto'` shows it only on a TTY. */
export class ProgressBar {
  private readonly out: TtyStream | undefined;
  private readonly start = Date.now();

  constructor(
    private readonly total: number,
    enabled: boolean | 'auto' = 'auto',
  ) {
    this.out = enabled === false ? undefined : ttyStdout();
  }

  /** Redraws the bar at `done` steps with a short status text. */
  update(done: number, status: string): void {
    if (!this.out) return;
    const width = 24;
    const filled = Math.round((width * Math.min(done, this.total)) / Math.max(1, this.total));
    const secs = (Date.now() - this.start) / 1000;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${secs.toFixed(0)}s ${status}`;
    this.out.write(`\r${line.slice(0, (this.out.columns ?? 120) - 1)}`);
  }

  /** Ends the line. */
  finish(): void {
    this.out?.write('\n');
  }
}
