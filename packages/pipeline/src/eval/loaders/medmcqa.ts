/**
 * MedMCQA (Pal et al. 2022) in its distributed shapes: the official JSON Lines (`opa`…`opd`, `cop` the correct
 * option — 1-based in the official release, 0-based in the Hugging Face copy —, `subject_name`, `topic_name`,
 * `choice_type`, `exp`), the MedAgentsBench copy (`options` `{"A": …}`, `answer_idx` letter) and the
 * `choices`/`answer` copy (`["A. …", …]`, 0-based `answer`; `-1` marks an unlabelled test record). Subject:
 * `subject_name`.
 *
 * `cop`'s base is read from the file: a file with a `cop` of 0 is 0-based, one with a `cop` of 4 is 1-based; a
 * file with both, or with neither (too few records to tell), needs `copBase`.
 *
 * @packageDocumentation
 */
import { EvalDataError } from '../eval-data-error';
import { loadChoiceFile } from '../choice-loader';
import type { LoaderOptions, SourceRecord } from '../record-source';
import type { TextInput } from '../text-input';
import type { ChoiceItem } from '../types';
import { crossCheckedAnswer } from './answer-cross-check';

/** Options of {@link loadMedMCQA}. */
export interface MedMCQAOptions extends LoaderOptions {
  /** Base of the `cop` field (default: read from the file, see the module documentation). */
  copBase?: 0 | 1;
}

function copBaseOf(records: SourceRecord[], file: string, given: 0 | 1 | undefined): 0 | 1 | undefined {
  if (given !== undefined) return given;
  let zero: number | undefined;
  let four: number | undefined;
  let any = false;
  for (const { reader } of records) {
    const c = reader.value.cop;
    if (c === undefined || c === null) continue;
    any = true;
    const n = typeof c === 'string' ? Number(c) : c;
    if (n === 0) zero ??= reader.line;
    if (n === 4) four ??= reader.line;
  }
  if (!any) return undefined;
  if (zero !== undefined && four !== undefined) {
    throw new EvalDataError(file, four, `cop is 0 on line ${zero} and 4 here: a file is either 0-based or 1-based (pass copBase)`, 'cop');
  }
  if (zero !== undefined) return 0;
  if (four !== undefined) return 1;
  throw new EvalDataError(file, 0, 'cannot tell whether cop is 0-based (Hugging Face) or 1-based (official release): no record has cop 0 or 4; pass copBase', 'cop');
}

/**
 * Reads a MedMCQA file.
 *
 * @throws {@link EvalDataError} with file, line and field for a malformed or unlabelled record.
 */
export function loadMedMCQA(input: TextInput, options: MedMCQAOptions = {}): ChoiceItem[] {
  let copBase: 0 | 1 | undefined;
  return loadChoiceFile(
    input,
    {
      benchmark: 'medmcqa',
      language: 'en',
      questionFields: ['question'],
      optionFields: ['options', 'choices'],
      idFields: ['id', 'realidx'],
      prepare: (records, file) => {
        copBase = copBaseOf(records, file, options.copBase);
      },
      answer: (r, opts) => {
        for (const f of ['cop', 'answer']) {
          const v = r.value[f];
          if (v === -1 || v === '-1') throw r.error('is -1: the record is unlabelled (the MedMCQA test split withholds its answers)', f);
        }
        return crossCheckedAnswer(
          r,
          opts,
          [{ field: 'answer_idx' }, { field: 'cop', how: { indexBase: copBase } }, { field: 'answer', how: { indexBase: 0 } }],
        );
      },
      subject: (r) => r.optionalText(['subject_name', 'subject']),
    },
    options,
  );
}
