/** Hypernym identification: which option is a parent class of a disease (distractors: the parent's siblings, cousins). */
import { buildMultipleChoice, formatOptions, hierarchyDistractors } from './exam';
import { answerLine, makeSample, tr } from './common';
import { pick } from '../random';
import type { TaskDefinition } from './types';

export const hypernymIdentification: TaskDefinition = {
  name: 'hypernym_identification',
  dimension: 'comprehension',
  level: 'atomic',
  languages: ['en', 'zh'],
  description: 'Identify the broader class (is_a parent) of a disease.',
  candidates: (ctx) =>
    ctx.graph.entities('disease').filter((e) => ctx.graph.name(e.id, ctx.language) && ctx.graph.parents(e.id).length > 0).map((e) => e.id),
  build(anchor, ctx) {
    const { graph, language: lang, rand } = ctx;
    const name = graph.name(anchor, lang);
    // A parent with the same name in this language (two classes mapped to one translated name) would be no question.
    const parents = graph.parents(anchor).filter((p) => { const n = graph.name(p, lang); return n && n.toLowerCase() !== name?.toLowerCase(); });
    if (!name || parents.length === 0) return null;
    const parent = pick(parents, rand);
    const pname = graph.name(parent, lang) as string;
    // Every ancestor is a correct "is a kind of" answer, and descendants would be odd: exclude both.
    const ds = hierarchyDistractors(graph, parent, {
      count: ctx.numOptions - 1,
      language: lang,
      rand,
      exclude: [anchor, ...graph.ancestors(anchor), ...graph.descendants(anchor, 3)],
      excludeTexts: [name],
      fallbackKind: 'disease',
    });
    if (ds.length < 1) return null;
    const mc = buildMultipleChoice({ text: pname, entityId: parent }, ds, rand);
    const prompt = tr(
      lang,
      `${name} is a type of which of the following?\n${formatOptions(mc.options)}`,
      `${name}属于下列哪一类疾病？\n${formatOptions(mc.options)}`,
    );
    const response = `${answerLine(lang, mc.answer, pname)}\n${ctx.render(graph.isaTriple(anchor, parent), lang)}`;
    return makeSample(this, anchor, ctx, {
      prompt,
      response,
      reference: { kind: 'multiple-choice', value: mc.answer },
      options: mc.options,
      facts: [graph.isaTriple(anchor, parent)],
      entityIds: [parent, ...ds.map((d) => d.id)],
    });
  },
};
