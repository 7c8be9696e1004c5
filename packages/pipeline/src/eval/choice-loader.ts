/**
 * The shared reader of multiple-choice benchmark files: every format-specific loader describes its fields and
 * answer rules here, and gets checked {@link ChoiceItem}s back.
 *
 * @packageDocumentation
 */
import { readOptions, type Options } from './choice-fields';
import { checkUniqueIds, readRecords, recordId, type CsvLayout, type LoaderOptions, type SourceRecord } from './record-source';
import type { RecordReader } from './record-reader';
import type { TextInput } from './text-input';
import type { BenchmarkName, ChoiceItem } from './types';

/** The description of one multiple-choice format. */
export interface ChoiceFormat {
  benchmark: BenchmarkName;
  language: 'en' | 'zh';
  questionFields: readonly string[];
  optionFields: readonly string[];
  /** Required number of options. */
  optionCount?: number;
  idFields: readonly string[];
  /** The gold letters of a record (sorted, unique, checked against the options). */
  answer(r: RecordReader, options: Options): string[];
  subject?(r: RecordReader): string | undefined;
  /** Several gold letters allowed (multiple response). */
  multiple?: boolean;
  csv?: CsvLayout;
  /** A file-level check before the records are read (e.g. which index base a file uses). */
  prepare?(records: SourceRecord[], file: string): void;
}

/**
 * Reads a multiple-choice benchmark file.
 *
 * @throws {@link EvalDataError} with file, line and field for anything malformed.
 */
export function loadChoiceFile(input: TextInput, format: ChoiceFormat, options: LoaderOptions = {}): ChoiceItem[] {
  const file = options.file ?? '<input>';
  const records = readRecords(input, file, format.csv);
  format.prepare?.(records, file);
  const items = records.map((rec): ChoiceItem => {
    const r = rec.reader;
    const question = r.text(format.questionFields);
    const opts = readOptions(r, format.optionFields, format.optionCount);
    const answer = format.answer(r, opts);
    const subject = format.subject?.(r);
    return {
      kind: 'multiple-choice',
      id: recordId(rec, format.idFields),
      benchmark: format.benchmark,
      language: format.language,
      question,
      options: opts,
      answer,
      responseType: answer.length > 1 || format.multiple ? 'multiple' : 'single',
      ...(subject !== undefined ? { subject } : {}),
      source: { file, line: r.line },
    };
  });
  return checkUniqueIds(items);
}
