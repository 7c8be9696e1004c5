/**
 * The experiments' printed table: estimates then contrasts, each with its 95% interval, as Markdown.
 *
 * @packageDocumentation
 */
import type { Contrast, Estimate } from './results';

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');
const pts = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}` : 'n/a');
const num = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}` : 'n/a');

/** A contrast's verdict: whether its interval excludes 0. */
export function verdict(c: Pick<Contrast, 'low' | 'high'>): string {
  return c.low > 0 ? 'treatment better (CI excludes 0)' : c.high < 0 ? 'treatment worse (CI excludes 0)' : 'no difference shown (CI includes 0)';
}

function render(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/** The table of estimates and the table of contrasts, separated by a blank line. */
export function formatResultTables(estimates: readonly Estimate[], contrasts: readonly Contrast[]): string {
  const est = render([
    ['arm', 'metric', 'value [95% CI]', 'n'],
    ...estimates.map((e) => [
      e.arm,
      e.metric,
      e.kind === 'proportion' ? `${pct(e.value)} [${pct(e.low)}, ${pct(e.high)}]` : `${num(e.value)} [${num(e.low)}, ${num(e.high)}]`,
      e.correct !== undefined ? `${e.correct}/${e.n}` : String(e.n),
    ]),
  ]);
  if (contrasts.length === 0) return est;
  const con = render([
    ['contrast', 'metric', 'difference [95% CI]', 'n', 'interval', 'verdict'],
    ...contrasts.map((c) => [
      `${c.treatment} − ${c.baseline}`,
      c.metric,
      c.method === 'paired-mean' ? `${num(c.value)} [${num(c.low)}, ${num(c.high)}]` : `${pts(c.value)} pts [${pts(c.low)}, ${pts(c.high)}]`,
      String(c.n),
      c.method === 'paired' ? 'Newcombe paired' : c.method === 'unpaired' ? 'Newcombe unpaired' : 'normal, paired',
      verdict(c),
    ]),
  ]);
  return `${est}\n\n${con}`;
}
