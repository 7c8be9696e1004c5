/**
 * MedQA-USMLE (Jin et al. 2021), 4- and 5-option versions, in the shapes it is distributed in: the official JSON
 * Lines (`question`, `options` `{"A": …}`, `answer` text, `answer_idx` letter, `meta_info` step1/step2&3), the
 * MedAgentsBench copy (same fields + `realidx`), BigBIO (`options` as `[{key, value}]`), and lists of option
 * strings; JSON arrays as well as JSON Lines. The answer is `answer_idx`, else `answer` (a letter or an option's
 * text); when both are given they must name the same option. Subject: `meta_info`.
 *
 * @packageDocumentation
 */
import { loadChoiceFile } from '../choice-loader';
import type { LoaderOptions } from '../record-source';
import type { TextInput } from '../text-input';
import type { ChoiceItem } from '../types';
import { crossCheckedAnswer } from './answer-cross-check';

/** Options of {@link loadMedQA}. */
export interface MedQAOptions extends LoaderOptions {
  /** The version: 4 or 5 options per question (every record must have exactly that many). */
  options: 4 | 5;
}

/**
 * Reads a MedQA-USMLE file.
 *
 * @throws {@link EvalDataError} with file, line and field for a malformed record.
 */
export function loadMedQA(input: TextInput, options: MedQAOptions): ChoiceItem[] {
  return loadChoiceFile(
    input,
    {
      benchmark: options.options === 5 ? 'medqa-usmle-5' : 'medqa-usmle-4',
      language: 'en',
      questionFields: ['question', 'sent1'],
      optionFields: ['options', 'choices', 'ending'],
      optionCount: options.options,
      idFields: ['id', 'realidx', 'qid'],
      answer: (r, opts) => crossCheckedAnswer(r, opts, [{ field: 'answer_idx' }, { field: 'answer' }]),
      subject: (r) => r.optionalText(['meta_info']),
    },
    options,
  );
}
