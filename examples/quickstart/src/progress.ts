/** One training-step record, as printed to JSONL logs. */
export interface StepRecord {
  step: number;
  steps: number;
  loss: number;
  tokensPerSecond: number;
}

/**
 * Reports progress: a redrawn bar on a TTY, one JSON object per line otherwise (so logs stay machine-readable).
 */
export class ProgressReporter {
  private readonly tty: boolean;
  constructor(
    private readonly out: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean } = process.stdout,
  ) {
    this.tty = Boolean(out.isTTY) && process.env.CI === undefined;
  }

  /** Reports one step. */
  step(record: StepRecord): void {
    if (!this.tty) {
      this.out.write(JSON.stringify({ event: 'step', ...record }) + '\n');
      return;
    }
    const width = 30;
    const done = Math.round((record.step / record.steps) * width);
    const bar = '█'.repeat(done) + '░'.repeat(width - done);
    this.out.write(
      `\r${bar} ${record.step}/${record.steps}  loss ${record.loss.toFixed(4)}  ` +
        `${record.tokensPerSecond.toFixed(0)} tok/s   `,
    );
    if (record.step === record.steps) this.out.write('\n');
  }

  /** Reports a free-form event (JSONL) or a line (TTY). */
  event(name: string, data: Record<string, unknown>): void {
    if (!this.tty) this.out.write(JSON.stringify({ event: name, ...data }) + '\n');
    else this.out.write(`${name}: ${JSON.stringify(data)}\n`);
  }
}
