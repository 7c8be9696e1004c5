/**
 * Records of a CSV benchmark file (RFC 4180: comma-separated, `"` quoting with `""` escapes, quoted fields may span
 * lines; CRLF or LF), as the official CMExam and MMLU releases ship them, with the line each record starts on.
 *
 * @packageDocumentation
 */
import { EvalDataError } from './eval-data-error';

/** One CSV record: its fields and the 1-based line where it starts. */
export interface CsvRow {
  fields: string[];
  line: number;
}

/**
 * Every non-empty row of a CSV text.
 *
 * @param text - the file's text.
 * @param file - the name used in errors.
 * @throws {@link EvalDataError} for an unterminated quoted field (with the line it opened on) or a quote inside an
 * unquoted field.
 */
export function readCsvRows(text: string, file: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let i = 0;
  let fieldStarted = false;
  const n = text.length;
  const endRow = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ fields, line: rowLine });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '"' && !fieldStarted) {
      const openLine = line;
      i++;
      for (;;) {
        if (i >= n) throw new EvalDataError(file, openLine, 'unterminated quoted CSV field');
        const d = text[i]!;
        if (d === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (d === '\n') line++;
        field += d;
        i++;
      }
      fieldStarted = true;
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new EvalDataError(file, line, `unexpected ${JSON.stringify(next)} after a closing quote`);
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') {
      i++;
      continue;
    }
    if (c === '\n') {
      endRow();
      line++;
      rowLine = line;
      i++;
      continue;
    }
    if (c === '"') throw new EvalDataError(file, line, 'a quote inside an unquoted CSV field');
    field += c;
    fieldStarted = true;
    i++;
  }
  if (fieldStarted || fields.length > 0) endRow();
  if (rows.length === 0) throw new EvalDataError(file, 0, 'the file holds no record');
  return rows;
}

/** Whether a text looks like CSV rather than JSON (its first non-blank character is not `{` or `[`). */
export function looksLikeCsv(text: string): boolean {
  const m = /\S/.exec(text);
  return m !== null && m[0] !== '{' && m[0] !== '[';
}
