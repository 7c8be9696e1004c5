/** Symptom listing: name the typical symptoms of a disease (reference: keywords, the symptom names). */
import { joinList, makeSample, tr } from './common';
import { sample } from '../random';
import type { TaskDefinition } from './types';

export const symptomListing: TaskDefinition = {
  name: 'symptom_listing',
  dimension: 'knowledge_application',
  level: 'atomic',
  languages: ['en', 'zh'],
  description: 'List the typical symptoms of a disease.',
  candidates: (ctx) =>
    ctx.graph
      .subjectsWith('has_symptom')
      .filter((d) => ctx.graph.name(d, ctx.language) && ctx.graph.out(d, 'has_symptom').some((t) => ctx.graph.name(t.object, ctx.language))),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    const facts = sample(graph.namedOut(anchor, 'has_symptom', lang), 5, rand);
    if (!name || facts.length === 0) return null;
    const names = facts.map((t) => graph.name(t.object, lang) as string);
    const prompt = tr(lang, `What are the typical symptoms of ${name}?`, `${name}的典型症状有哪些？`);
    const response = tr(lang, `Typical symptoms of ${name} include ${joinList(names, lang)}.`, `${name}的典型症状包括${joinList(names, lang)}。`);
    return makeSample(this, anchor, ctx, { prompt, response, reference: { kind: 'keywords', value: names }, facts, entityIds: facts.map((t) => t.object) });
  },
};
