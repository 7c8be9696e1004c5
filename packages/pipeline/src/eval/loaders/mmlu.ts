/**
 * MMLU's medical subsets (anatomy, clinical knowledge, college biology, college medicine, medical genetics,
 * professional medicine) and MMLU-Pro, in their distributed shapes: the original header-less CSV
 * (`question,A,B,C,D,answer`, the subject given by the file name: pass `subject`), the Hugging Face copy
 * (`choices` list, `answer` a 0-based index, `subject`), the MedAgentsBench copy (`options` `{"A": …}`,
 * `answer_idx`, `answer` text, `subject`) and MMLU-Pro (`options` list of up to ten, `answer` letter,
 * `answer_index` 0-based, `category`). Subject: `subject`, else `category`, else the `subject` option.
 *
 * @packageDocumentation
 */
import { loadChoiceFile } from '../choice-loader';
import type { LoaderOptions } from '../record-source';
import type { RecordReader } from '../record-reader';
import type { TextInput } from '../text-input';
import type { ChoiceItem } from '../types';
import { crossCheckedAnswer } from './answer-cross-check';

/** MMLU's medical subjects (the subsets medical evaluations report). */
export const MMLU_MEDICAL_SUBJECTS = ['anatomy', 'clinical_knowledge', 'college_biology', 'college_medicine', 'medical_genetics', 'professional_medicine'] as const;

/** Options of {@link loadMMLU}. */
export interface MMLUOptions extends LoaderOptions {
  /** Subject of records that carry none (the original CSV files name it in the file name). */
  subject?: string;
}

function letterColumns(r: RecordReader): Record<string, unknown> | undefined {
  if (!r.has('A', 'B')) return undefined;
  const o: Record<string, unknown> = {};
  for (const k of 'ABCDEFGHIJ') if (r.value[k] !== undefined && r.value[k] !== '') o[k] = r.value[k];
  return o;
}

/**
 * Reads an MMLU (medical subset) or MMLU-Pro file.
 *
 * @throws {@link EvalDataError} with file, line and field for a malformed record.
 */
export function loadMMLU(input: TextInput, options: MMLUOptions = {}): ChoiceItem[] {
  return loadChoiceFile(
    input,
    {
      benchmark: 'mmlu-medical',
      language: 'en',
      questionFields: ['question'],
      optionFields: ['options', 'choices', '__letterColumns'],
      idFields: ['id', 'question_id', 'realidx'],
      prepare: (records) => {
        for (const { reader } of records) {
          const cols = letterColumns(reader);
          if (cols && !reader.has('options', 'choices')) reader.value.__letterColumns = cols;
        }
      },
      answer: (r, opts) => {
        const isLetterCsv = r.value.__letterColumns !== undefined;
        const hfIndex = typeof r.value.answer === 'number' && !r.has('answer_idx', 'answer_index');
        return crossCheckedAnswer(
          r,
          opts,
          [{ field: 'answer_idx' }, { field: 'answer_index', how: { indexBase: 0 } }, { field: 'answer', how: hfIndex ? { indexBase: 0 } : isLetterCsv ? { optionText: false } : {} }],
        );
      },
      subject: (r) => r.optionalText(['subject', 'category']) ?? options.subject,
      csv: { headerColumn: 'question', columns: ['question', 'A', 'B', 'C', 'D', 'answer'] },
    },
    options,
  );
}
