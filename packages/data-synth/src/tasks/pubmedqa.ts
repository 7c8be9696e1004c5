/** Yes/no/maybe with evidence (PubMedQA): answer a research question from its abstract and quote the conclusion. */
import { makeSample } from './common';
import type { TaskDefinition } from './types';

/** The fact key of a PubMedQA answer: `PMID:<id>|answer|<decision>`. */
export function pubmedqaFactKey(id: string, decision: string): string {
  return `PMID:${id}|answer|${decision}`;
}

export const pubmedqaYesNoMaybe: TaskDefinition = {
  name: 'pubmedqa_yes_no_maybe',
  dimension: 'analysis_reasoning',
  level: 'composite',
  languages: ['en'],
  description: 'Answer a PubMedQA question yes, no or maybe from the abstract, with the evidence.',
  candidates: (ctx) => ctx.pubmedqa.map((r) => `PMID:${r.id}`),
  build(anchor, ctx) {
    const id = anchor.slice('PMID:'.length);
    const r = ctx.pubmedqa.find((x) => x.id === id);
    if (!r || r.CONTEXTS.length === 0) return null;
    const context = r.CONTEXTS.map((c, i) => (r.LABELS?.[i] ? `(${r.LABELS[i]}) ${c}` : c)).join('\n');
    const prompt = `Read the abstract and answer the question with yes, no or maybe, then give the evidence.\n\nAbstract:\n${context}\n\nQuestion: ${r.QUESTION}`;
    const response = `Answer: ${r.final_decision}\nEvidence: ${r.LONG_ANSWER ?? context}`;
    return makeSample(this, anchor, ctx, {
      prompt,
      response,
      reference: { kind: 'yes-no-maybe', value: r.final_decision },
      facts: [{ key: pubmedqaFactKey(id, r.final_decision), source: 'pubmedqa', authority: 'B' }],
      entityIds: [],
    });
  },
};
