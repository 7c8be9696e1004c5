/** Plain-text table printing for the bench suites. */

/** One column: header and alignment (numbers right-aligned by default). */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/**
 * Renders a table with a title line, a header, a rule and one line per row; cells are padded to the
 * widest entry of their column. Rows shorter than the header are padded with empty cells.
 *
 * @param title - printed above the table.
 * @param columns - headers (first column left-aligned unless stated).
 * @param rows - cell strings.
 * @param notes - lines printed under the table.
 */
export function renderTable(title: string, columns: readonly (Column | string)[], rows: readonly (readonly string[])[], notes: readonly string[] = []): string {
  const cols: Column[] = columns.map((c, i) => (typeof c === 'string' ? { header: c, align: i === 0 ? 'left' : 'right' } : c));
  const widths = cols.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cols
      .map((c, i) => {
        const s = cells[i] ?? '';
        return c.align === 'left' ? s.padEnd(widths[i]!) : s.padStart(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  const out = [title, line(cols.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  for (const n of notes) out.push(`  note: ${n}`);
  return out.join('\n');
}

/** Prints {@link renderTable}'s output followed by a blank line. */
export function printTable(title: string, columns: readonly (Column | string)[], rows: readonly (readonly string[])[], notes: readonly string[] = []): void {
  console.log(renderTable(title, columns, rows, notes) + '\n');
}
