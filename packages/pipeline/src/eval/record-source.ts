/**
 * The records of a benchmark file as {@link RecordReader}s, from any layout the benchmarks ship: JSON Lines, a JSON
 * array, a keyed JSON object, or CSV (with a header row, or with the columns given by the format).
 *
 * @packageDocumentation
 */
import { readCsvRows, looksLikeCsv } from './csv-records';
import { EvalDataError } from './eval-data-error';
import { readJsonRecords } from './json-records';
import { RecordReader } from './record-reader';
import { readTextInput, type TextInput } from './text-input';

/** Options every loader takes. */
export interface LoaderOptions {
  /** The file name used in records' sources and in errors (default `<input>`). */
  file?: string;
}

/** How CSV files of a format are read. */
export interface CsvLayout {
  /** Column names of a file without a header row (MMLU's `question,A,B,C,D,answer`). */
  columns?: readonly string[];
  /** A header row is recognised when it holds this column (case-insensitive). */
  headerColumn: string;
}

/** A record and the key it had in a keyed JSON layout. */
export interface SourceRecord {
  reader: RecordReader;
  key?: string;
}

/**
 * Every record of a benchmark file.
 *
 * @param input - the file's text or bytes.
 * @param file - the name used in errors.
 * @param csv - how the format's CSV files are read; CSV is refused when undefined.
 * @throws {@link EvalDataError} with file and line for anything malformed.
 */
export function readRecords(input: TextInput, file: string, csv?: CsvLayout): SourceRecord[] {
  const text = readTextInput(input, file);
  if (text.trim().length === 0) throw new EvalDataError(file, 0, 'the file is empty');
  if (!looksLikeCsv(text)) return readJsonRecords(text, file).map((r) => ({ reader: new RecordReader(r.value, file, r.line), ...(r.key !== undefined ? { key: r.key } : {}) }));
  if (!csv) throw new EvalDataError(file, 1, 'expected JSON or JSON Lines (the first character is not { or [)');
  const rows = readCsvRows(text, file);
  const first = rows[0]!;
  const hasHeader = first.fields.some((f) => f.trim().toLowerCase() === csv.headerColumn.toLowerCase());
  let columns: readonly string[];
  let body = rows;
  if (hasHeader) {
    columns = first.fields.map((f) => f.trim());
    body = rows.slice(1);
  } else if (csv.columns) {
    columns = csv.columns;
  } else {
    throw new EvalDataError(file, 1, `a CSV file of this format needs a header row with a ${JSON.stringify(csv.headerColumn)} column`);
  }
  if (body.length === 0) throw new EvalDataError(file, 0, 'the file holds no record');
  return body.map((row) => {
    if (row.fields.length !== columns.length) {
      throw new EvalDataError(file, row.line, `expected ${columns.length} CSV fields (${columns.join(', ')}), got ${row.fields.length}`);
    }
    const value: Record<string, unknown> = {};
    columns.forEach((c, i) => (value[c] = row.fields[i]));
    return { reader: new RecordReader(value, file, row.line) };
  });
}

/** The id of a record: its own id field, the key of a keyed layout, else `<file>#<line>`. */
export function recordId(rec: SourceRecord, fields: readonly string[]): string {
  const f = rec.reader.first(fields);
  if (f && (typeof f.value === 'string' || typeof f.value === 'number') && String(f.value).trim() !== '') return String(f.value).trim();
  if (rec.key !== undefined) return rec.key;
  return `${rec.reader.file}#${rec.reader.line}`;
}

/**
 * Checks that ids are unique within a file.
 *
 * @throws {@link EvalDataError} at the second record with the same id.
 */
export function checkUniqueIds<T extends { id: string; source: { file: string; line: number } }>(items: T[]): T[] {
  const seen = new Map<string, number>();
  for (const it of items) {
    const prev = seen.get(it.id);
    if (prev !== undefined) throw new EvalDataError(it.source.file, it.source.line, `duplicate id ${JSON.stringify(it.id)} (first on line ${prev})`, 'id');
    seen.set(it.id, it.source.line);
  }
  return items;
}
