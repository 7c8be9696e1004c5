/** ICD-10 coding of a diagnosis: give the ICD-10-CM code (reference kind `icd10`). */
import { makeSample, tr } from './common';
import type { TaskDefinition } from './types';

export const icd10Coding: TaskDefinition = {
  name: 'icd10_coding',
  dimension: 'knowledge_application',
  level: 'atomic',
  languages: ['en', 'zh'],
  description: 'Assign the ICD-10-CM code of a diagnosis (diseases with exactly one code, so the reference is unambiguous).',
  candidates: (ctx) =>
    ctx.graph.entities('disease').filter((e) => ctx.graph.name(e.id, ctx.language) && ctx.graph.icd10Codes(e.id).length === 1).map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang } = ctx;
    const name = graph.name(anchor, lang);
    const codes = graph.icd10Codes(anchor);
    if (!name || codes.length !== 1) return null;
    const { code, triple } = codes[0] as (typeof codes)[number];
    const prompt = tr(
      lang,
      `Assign the ICD-10-CM code for the following diagnosis: ${name}. Reply with the code.`,
      `请为以下诊断给出ICD-10编码：${name}。请直接回答编码。`,
    );
    const response = tr(lang, `ICD-10-CM code: ${code}`, `ICD-10编码：${code}`);
    return makeSample(this, anchor, ctx, { prompt, response, reference: { kind: 'icd10', value: code }, facts: [triple], entityIds: [] });
  },
};
