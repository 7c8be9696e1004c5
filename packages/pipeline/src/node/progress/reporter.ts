/**
 * Progress of a run: one progress bar per training stage on a TTY (`cli-progress`), one JSON object per line
 * otherwise (and always in the run's `events.jsonl`), so logs stay machine-readable.
 *
 * @packageDocumentation
 */
import { appendFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { StageName } from '../../config/stage-names';
import type { StageProgress } from '../../stages/types';

/** Where progress goes. */
export interface ProgressOptions {
  /** Default process.stderr for bars, process.stdout for JSONL. */
  out?: { write(s: string): unknown; isTTY?: boolean };
  /** Force bars (true) or JSONL (false); default: bars on a TTY outside CI. */
  tty?: boolean;
  /** Also append every event to this JSONL file. */
  logFile?: string;
  /** Print nothing (the log file still gets events). */
  silent?: boolean;
}

/** A {@link StageProgress} for the terminal or logs. */
export class ProgressReporter implements StageProgress {
  private readonly out: { write(s: string): unknown; isTTY?: boolean };
  private readonly tty: boolean;
  private bar?: cliProgress.SingleBar;
  private barStage?: string;

  constructor(private readonly options: ProgressOptions = {}) {
    this.out = options.out ?? process.stdout;
    this.tty = options.tty ?? (Boolean(this.out.isTTY) && process.env.CI === undefined);
  }

  private log(record: Record<string, unknown>): void {
    const line = `${JSON.stringify(record)}\n`;
    if (this.options.logFile) appendFileSync(this.options.logFile, line);
    if (!this.options.silent && !this.tty) this.out.write(line);
  }

  step(stage: StageName, step: number, total: number, values: Record<string, number>): void {
    this.log({ event: 'step', stage, step, total, ...values });
    if (this.options.silent || !this.tty) return;
    if (this.barStage !== stage) {
      this.bar?.stop();
      this.bar = new cliProgress.SingleBar(
        { format: `${stage.padEnd(9)} {bar} {value}/{total} {values}`, stream: this.out as NodeJS.WritableStream, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { values: '' });
      this.barStage = stage;
    }
    const text = Object.entries(values)
      .filter(([, v]) => Number.isFinite(v))
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join('  ');
    this.bar!.update(step, { values: text });
  }

  event(stage: StageName, name: string, data: Record<string, unknown>): void {
    this.log({ event: name, stage, ...data });
    if (this.options.silent || !this.tty) return;
    if (this.bar) {
      this.bar.stop();
      this.bar = undefined;
      this.barStage = undefined;
    }
    this.out.write(`${stage}: ${name} ${JSON.stringify(data)}\n`);
  }

  /** Stops a running bar. */
  close(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
