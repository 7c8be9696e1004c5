/** Synonym discrimination: which option is a synonym of a term (distractors: names of its siblings/cousins). */
import { buildMultipleChoice, formatOptions, hierarchyDistractors } from './exam';
import { answerLine, entityFact, makeSample, tr } from './common';
import { pick } from '../random';
import type { TaskDefinition } from './types';

export const synonymDiscrimination: TaskDefinition = {
  name: 'synonym_discrimination',
  dimension: 'comprehension',
  level: 'atomic',
  languages: ['en', 'zh'],
  description: 'Pick the synonym of a disease name among names of related diseases.',
  candidates: (ctx) =>
    ctx.graph.entities('disease').filter((e) => ctx.graph.name(e.id, ctx.language) && ctx.graph.synonyms(e.id, ctx.language).length > 0).map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    const syns = graph.synonyms(anchor, lang);
    if (!name || syns.length === 0) return null;
    const syn = pick(syns, rand);
    const ds = hierarchyDistractors(graph, anchor, {
      count: ctx.numOptions - 1,
      language: lang,
      rand,
      excludeTexts: [name, ...syns, ...graph.allNames(anchor)],
      fallbackKind: 'disease',
    });
    if (ds.length < 1) return null;
    const mc = buildMultipleChoice({ text: syn }, ds, rand);
    const prompt = tr(
      lang,
      `Which of the following is a synonym of "${name}"?\n${formatOptions(mc.options)}`,
      `下列哪一项是“${name}”的同义词？\n${formatOptions(mc.options)}`,
    );
    const response = `${answerLine(lang, mc.answer, syn)}\n${tr(lang, `"${syn}" is another name for ${name}.`, `“${syn}”是${name}的另一名称。`)}`;
    return makeSample(this, anchor, ctx, {
      prompt,
      response,
      reference: { kind: 'multiple-choice', value: mc.answer },
      options: mc.options,
      facts: [entityFact(ctx, anchor, 'synonym', syn, lang)],
      entityIds: ds.map((d) => d.id),
    });
  },
};
