/**
 * CMB-Clin (Wang et al. 2024, the clinical-case part of CMB): a JSON array (or JSON Lines) of cases, each with
 * `id`, `title`, `description` (history, examination, tests) and `QA_pairs` (`[{question, answer}]`). Every QA
 * pair becomes one open-ended item (`<case id>-<n>`, n from 1) whose context is the case description; the answers
 * are free text, scored by a text judge or keywords (see `scoring.ts`). No subject.
 *
 * @packageDocumentation
 */
import { EvalDataError } from '../eval-data-error';
import { RecordReader } from '../record-reader';
import { checkUniqueIds, readRecords, recordId, type LoaderOptions } from '../record-source';
import type { TextInput } from '../text-input';
import type { OpenItem } from '../types';

/**
 * Reads a CMB-Clin file.
 *
 * @throws {@link EvalDataError} with file, line and field for a malformed case or QA pair.
 */
export function loadCMBClin(input: TextInput, options: LoaderOptions = {}): OpenItem[] {
  const file = options.file ?? '<input>';
  const items: OpenItem[] = [];
  for (const rec of readRecords(input, file)) {
    const r = rec.reader;
    const caseId = recordId(rec, ['id']);
    const title = r.optionalText(['title']);
    const description = r.text(['description']);
    const pairs = r.value.QA_pairs ?? r.value.qa_pairs;
    if (!Array.isArray(pairs) || pairs.length === 0) throw r.error('expected a non-empty list of {question, answer}', 'QA_pairs');
    pairs.forEach((p, i) => {
      if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new EvalDataError(file, r.line, 'expected an object {question, answer}', `QA_pairs[${i}]`);
      const q = new RecordReader(p as Record<string, unknown>, file, r.line);
      let question: string;
      let answer: string;
      try {
        question = q.text('question');
        answer = q.text('answer');
      } catch (e) {
        if (e instanceof EvalDataError) throw new EvalDataError(file, r.line, e.problem, `QA_pairs[${i}].${e.field ?? ''}`);
        throw e;
      }
      items.push({
        kind: 'open',
        id: `${caseId}-${i + 1}`,
        benchmark: 'cmb-clin',
        language: 'zh',
        question,
        context: title ? `${title}\n${description}` : description,
        answer,
        source: { file, line: r.line },
      });
    });
  }
  return checkUniqueIds(items);
}
