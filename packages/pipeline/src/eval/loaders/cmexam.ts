/**
 * CMExam (Liu et al. 2023, the Chinese National Medical Licensing Examination): the official CSV files (header
 * `Question,Options,Answer,Explanation,…`) and JSON / JSON Lines conversions of them. `Options` holds one option
 * per line (`A 原发病\nB 出血部位`; the literal two characters `\n` count as a line break, as in the converted
 * files); `Answer` is one or several letters (`C`, `ABE`): CMExam has multiple-response questions. Subject: the
 * `Clinical Department` annotation where the file has it (the annotated test split), else `Medical Discipline`.
 *
 * @packageDocumentation
 */
import { readAnswerLetters } from '../choice-fields';
import { loadChoiceFile } from '../choice-loader';
import type { LoaderOptions } from '../record-source';
import type { TextInput } from '../text-input';
import type { ChoiceItem } from '../types';

/**
 * Reads a CMExam file (CSV, JSON or JSON Lines).
 *
 * @throws {@link EvalDataError} with file, line and field for a malformed record.
 */
export function loadCMExam(input: TextInput, options: LoaderOptions = {}): ChoiceItem[] {
  return loadChoiceFile(
    input,
    {
      benchmark: 'cmexam',
      language: 'zh',
      questionFields: ['Question', 'question'],
      optionFields: ['Options', 'options'],
      idFields: ['id', 'ID'],
      multiple: true,
      answer: (r, opts) => {
        const f = r.first(['Answer', 'answer']);
        if (!f) throw r.error('missing answer', 'Answer');
        return readAnswerLetters(r, f.name, f.value, opts, { multiple: true, optionText: false });
      },
      subject: (r) => r.optionalText(['Clinical Department', 'Medical Discipline']),
      csv: { headerColumn: 'Question' },
    },
    options,
  );
}
