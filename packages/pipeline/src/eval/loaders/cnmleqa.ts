/**
 * CNMLEQA (Chinese National Medical Licensing Examination 2017–2021): a JSON array (or JSON Lines) of records with
 * `opa`…`ope` and `answer` the option column (`opd`; a plain letter is accepted), `question_type` (知识问答 /
 * 案例分析), `year`. Subject: `question_type`.
 *
 * @packageDocumentation
 */
import { readAnswerLetters } from '../choice-fields';
import { loadChoiceFile } from '../choice-loader';
import type { LoaderOptions } from '../record-source';
import type { TextInput } from '../text-input';
import type { ChoiceItem } from '../types';

/**
 * Reads a CNMLEQA file.
 *
 * @throws {@link EvalDataError} with file, line and field for a malformed record.
 */
export function loadCNMLEQA(input: TextInput, options: LoaderOptions = {}): ChoiceItem[] {
  return loadChoiceFile(
    input,
    {
      benchmark: 'cnmleqa',
      language: 'zh',
      questionFields: ['question'],
      optionFields: ['options'],
      idFields: ['id'],
      answer: (r, opts) => {
        if (!r.has('answer')) throw r.error('missing answer', 'answer');
        return readAnswerLetters(r, 'answer', r.value.answer, opts, { optionText: false });
      },
      subject: (r) => r.optionalText(['question_type']),
    },
    options,
  );
}
