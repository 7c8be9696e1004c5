/**
 * MedBullets (Chen et al. 2024; USMLE Step 2/3-style questions), 4- or 5-option: the MedAgentsBench JSON Lines
 * (`options` `{"A": …}`, `answer_idx`, `answer` text, `reason`) and the original CSV (`question`, `opa`…`ope`,
 * `answer_idx`, `answer`, `explanation`, `link`). When both `answer_idx` and `answer` are given they must name the
 * same option. No subject.
 *
 * @packageDocumentation
 */
import { loadChoiceFile } from '../choice-loader';
import { EvalDataError } from '../eval-data-error';
import type { LoaderOptions } from '../record-source';
import type { TextInput } from '../text-input';
import type { ChoiceItem } from '../types';
import { crossCheckedAnswer } from './answer-cross-check';

/** Options of {@link loadMedBullets}. */
export interface MedBulletsOptions extends LoaderOptions {
  /** Require this many options per question (4 or 5); default: either. */
  options?: 4 | 5;
}

/**
 * Reads a MedBullets file.
 *
 * @throws {@link EvalDataError} with file, line and field for a malformed record.
 */
export function loadMedBullets(input: TextInput, options: MedBulletsOptions = {}): ChoiceItem[] {
  const items = loadChoiceFile(
    input,
    {
      benchmark: 'medbullets',
      language: 'en',
      questionFields: ['question'],
      optionFields: ['options'],
      ...(options.options !== undefined ? { optionCount: options.options } : {}),
      idFields: ['id', 'realidx'],
      answer: (r, opts) => crossCheckedAnswer(r, opts, [{ field: 'answer_idx' }, { field: 'answer' }]),
      csv: { headerColumn: 'question' },
    },
    options,
  );
  for (const it of items) {
    const n = Object.keys(it.options).length;
    if (n !== 4 && n !== 5) throw new EvalDataError(it.source.file, it.source.line, `MedBullets questions have 4 or 5 options, got ${n}`, 'options');
  }
  return items;
}
