/**
 * The accuracy table the CLI prints: one row per run overall and per subject, with n, accuracy and its 95% CI.
 *
 * @packageDocumentation
 */
import type { AccuracyCell } from './accuracy';
import type { EvalReport } from './harness';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
}

/**
 * A plain-text table of reports (aligned columns; subjects indented under their run).
 *
 * @param reports - one per run (e.g. without and with retrieval).
 * @param options - `subjects: false` leaves the per-subject rows out.
 */
export function formatReportTable(reports: readonly EvalReport[], options: { subjects?: boolean } = {}): string {
  const rows: string[][] = [['benchmark', 'retrieval', 'subject', 'n', 'accuracy', '95% CI']];
  const add = (r: EvalReport, subject: string, c: AccuracyCell): void => {
    rows.push([r.benchmark, r.retrieval ? 'yes' : 'no', subject, String(c.n), pct(c.accuracy), `[${pct(c.ci.low)}, ${pct(c.ci.high)}]`]);
  };
  for (const r of reports) {
    add(r, '(all)', r.overall);
    if (options.subjects !== false) for (const [s, c] of Object.entries(r.bySubject)) add(r, `  ${s}`, c);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => row(r, widths)).join('\n');
}
