/**
 * PubMedQA (Jin et al. 2019), PQA-L / PQA-A: the official JSON object keyed by PMID (`QUESTION`, `CONTEXTS`,
 * `LABELS`, `MESHES`, `final_decision`, `LONG_ANSWER`), the same records as an array or JSON Lines with an id,
 * and the Hugging Face copy (`pubid`, `question`, `context: {contexts, labels, meshes}`, `long_answer`,
 * `final_decision`). The context shown is the abstract's sections, each with its label. No subject.
 *
 * @packageDocumentation
 */
import { describe } from '../record-reader';
import { checkUniqueIds, readRecords, recordId, type LoaderOptions } from '../record-source';
import type { TextInput } from '../text-input';
import type { YesNoMaybeItem } from '../types';

/**
 * Reads a PubMedQA file.
 *
 * @throws {@link EvalDataError} with file, line and field for a malformed record.
 */
export function loadPubMedQA(input: TextInput, options: LoaderOptions = {}): YesNoMaybeItem[] {
  const file = options.file ?? '<input>';
  const items = readRecords(input, file).map((rec): YesNoMaybeItem => {
    const r = rec.reader;
    const question = r.text(['QUESTION', 'question']);
    let contexts: unknown;
    let labels: unknown;
    let field = 'CONTEXTS';
    if (r.has('CONTEXTS')) {
      contexts = r.value.CONTEXTS;
      labels = r.value.LABELS;
    } else if (r.value.context !== undefined && typeof r.value.context === 'object' && r.value.context !== null && !Array.isArray(r.value.context)) {
      const c = r.value.context as Record<string, unknown>;
      contexts = c.contexts;
      labels = c.labels;
      field = 'context.contexts';
    } else if (r.has('context')) {
      contexts = r.value.context;
      field = 'context';
    } else {
      throw r.error('missing (expected "CONTEXTS" or "context")', 'CONTEXTS');
    }
    if (typeof contexts === 'string') contexts = [contexts];
    if (!Array.isArray(contexts) || contexts.length === 0 || !contexts.every((c) => typeof c === 'string' && c.trim() !== '')) {
      throw r.error(`expected a non-empty list of passages, got ${describe(contexts)}`, field);
    }
    const labelList = Array.isArray(labels) && labels.length === contexts.length && labels.every((l) => typeof l === 'string') ? (labels as string[]) : undefined;
    const context = (contexts as string[]).map((c, i) => (labelList ? `${labelList[i]}: ${c.trim()}` : c.trim())).join('\n');
    const decision = r.text(['final_decision']).toLowerCase();
    if (decision !== 'yes' && decision !== 'no' && decision !== 'maybe') throw r.error(`expected yes, no or maybe, got ${JSON.stringify(decision)}`, 'final_decision');
    return {
      kind: 'yes-no-maybe',
      id: recordId(rec, ['pubid', 'id', 'PMID', 'pmid']),
      benchmark: 'pubmedqa',
      language: 'en',
      question,
      context,
      answer: decision,
      source: { file, line: r.line },
    };
  });
  return checkUniqueIds(items);
}
