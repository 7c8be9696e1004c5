/** ICD-10 code → diagnosis: which disease an ICD-10-CM code denotes (distractors: siblings with other codes). */
import { buildMultipleChoice, formatOptions, hierarchyDistractors } from './exam';
import { answerLine, makeSample, tr } from './common';
import { pick } from '../random';
import type { TaskDefinition } from './types';

export const icd10CodeToTitle: TaskDefinition = {
  name: 'icd10_code_to_title',
  dimension: 'comprehension',
  level: 'atomic',
  languages: ['en', 'zh'],
  description: 'Given an ICD-10-CM code, choose the diagnosis it denotes.',
  candidates: (ctx) =>
    ctx.graph.entities('disease').filter((e) => ctx.graph.name(e.id, ctx.language) && ctx.graph.icd10Codes(e.id).length > 0).map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    const codes = graph.icd10Codes(anchor);
    if (!name || codes.length === 0) return null;
    const { code, triple } = pick(codes, rand);
    const ds = hierarchyDistractors(graph, anchor, {
      count: ctx.numOptions - 1,
      language: lang,
      rand,
      accept: (id) => !graph.icd10Codes(id).some((c) => c.code === code),
      fallbackKind: 'disease',
    });
    if (ds.length < 1) return null;
    const mc = buildMultipleChoice({ text: name, entityId: anchor }, ds, rand);
    const prompt = tr(
      lang,
      `Which diagnosis does ICD-10-CM code ${code} denote?\n${formatOptions(mc.options)}`,
      `ICD-10编码${code}对应下列哪一诊断？\n${formatOptions(mc.options)}`,
    );
    return makeSample(this, anchor, ctx, {
      prompt,
      response: `${answerLine(lang, mc.answer, name)}\n${ctx.render(triple, lang)}`,
      reference: { kind: 'multiple-choice', value: mc.answer },
      options: mc.options,
      facts: [triple],
      entityIds: ds.map((d) => d.id),
    });
  },
};
