/**
 * Disease-from-symptoms multiple choice: a patient's symptoms → the most likely diagnosis. Distractors are siblings
 * and cousins that do not have all of the listed symptoms.
 */
import { buildMultipleChoice, formatOptions, hierarchyDistractors } from './exam';
import { answerLine, joinList, makeSample, tr } from './common';
import { sample } from '../random';
import type { TaskDefinition } from './types';

export const diseaseFromSymptoms: TaskDefinition = {
  name: 'disease_from_symptoms',
  dimension: 'analysis_reasoning',
  level: 'composite',
  languages: ['en', 'zh'],
  description: 'Infer the most likely diagnosis from a set of symptoms.',
  candidates: (ctx) =>
    ctx.graph
      .subjectsWith('has_symptom')
      .filter((d) => ctx.graph.name(d, ctx.language) && ctx.graph.namedOut(d, 'has_symptom', ctx.language).length >= 2),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    const sym = sample(graph.namedOut(anchor, 'has_symptom', lang), 4, rand);
    if (!name || sym.length < 2) return null;
    const symIds = sym.map((t) => t.object);
    const hasAll = (d: string) => {
      const s = new Set(graph.out(d, 'has_symptom').map((t) => t.object));
      return symIds.every((x) => s.has(x));
    };
    const ds = hierarchyDistractors(graph, anchor, {
      count: ctx.numOptions - 1,
      language: lang,
      rand,
      accept: (d) => !hasAll(d),
      exclude: [...graph.ancestors(anchor), ...graph.descendants(anchor)],
      fallbackKind: 'disease',
    });
    if (ds.length < 1) return null;
    const mc = buildMultipleChoice({ text: name, entityId: anchor }, ds, rand);
    const snames = sym.map((t) => graph.name(t.object, lang) as string);
    const prompt = tr(
      lang,
      `A patient presents with ${joinList(snames, lang)}. Which diagnosis is most consistent with these findings?\n${formatOptions(mc.options)}`,
      `患者出现${joinList(snames, lang)}。下列哪一诊断与这些表现最相符？\n${formatOptions(mc.options)}`,
    );
    const response = `${answerLine(lang, mc.answer, name)}\n${tr(lang, `${name} can present with ${joinList(snames, lang)}.`, `${name}可表现为${joinList(snames, lang)}。`)}`;
    return makeSample(this, anchor, ctx, {
      prompt,
      response,
      reference: { kind: 'multiple-choice', value: mc.answer },
      options: mc.options,
      facts: sym,
      entityIds: [...symIds, ...ds.map((d) => d.id)],
    });
  },
};
